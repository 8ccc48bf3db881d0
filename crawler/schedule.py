"""``souverain schedule install``: a systemd user timer or a crontab line that runs ``souverain crawl``."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rich.markup import escape

from archive.errors import ArchiveError

UNIT = "souverain-crawl"
CRON_MARK = "# souverain-crawl"
ON_CALENDAR = {"hourly": "*-*-* *:{m:02d}:00", "daily": "*-*-* {h:02d}:{m:02d}:00",
               "weekly": "Mon *-*-* {h:02d}:{m:02d}:00"}
CRON_FIELDS = {"hourly": "{m} * * * *", "daily": "{m} {h} * * *", "weekly": "{m} {h} * * 1"}
ENABLE = f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer"


def install_schedule(*, every: str, at: str, kind: str, crawl_args: list[str], dry_run: bool,
                     announce: Callable[[str], None]) -> int:
    """Install (or print) a periodic ``souverain crawl`` as a systemd user timer or a crontab line.

    Args:
        every: ``hourly`` (at the minute of ``at``), ``daily`` or ``weekly`` (Mondays).
        at: time of day, ``HH:MM``.
        kind: ``systemd``, ``cron``, or ``auto`` (a systemd user session if there is one, else crontab).
        crawl_args: options of the scheduled ``souverain crawl`` (``--out /data/souverain``…).
        dry_run: print the unit files or the crontab line, install nothing.
        announce: prints one message (rich markup; the text given is escaped).

    Returns:
        The exit status (0).
    """
    hour, minute = parse_at(at)
    out = crawl_out(crawl_args)
    command = [*souverain_command(), "crawl", *crawl_args]
    files = systemd_units(every, hour, minute, command, Path.cwd())
    line = cron_line(every, hour, minute, command, Path.cwd(), out)
    if kind == "auto":
        detected = detect_kind()
        if detected is None and dry_run:  # printing needs neither: show both, say what this machine lacks
            announce(escape(f"# {NEITHER}; either of these would do."))
            print_systemd(files, announce)
            announce(escape(f"# or this crontab line:\n{line}"))
            return 0
        if detected is None:
            raise ArchiveError(NEITHER)
        kind = detected
    if kind == "systemd":
        if dry_run:
            print_systemd(files, announce)
            return 0
        return install_systemd(files, announce)
    if dry_run:
        announce(escape(line))
        return 0
    return install_cron(line, announce)


def print_systemd(files: dict[Path, str], announce: Callable[[str], None]) -> None:
    """Print the unit files and the command that enables them."""
    for path, text in files.items():
        announce(escape(f"# {path}\n{text}"))
    announce(escape(f"# then: {ENABLE}"))


def parse_at(at: str) -> tuple[int, int]:
    """Hour and minute of an ``HH:MM`` time, or an `ArchiveError` in one line."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ArchiveError(f"bad --at {at!r}: expected HH:MM between 00:00 and 23:59, e.g. 03:00")
    return int(match[1]), int(match[2])


def crawl_out(crawl_args: list[str]) -> Path:
    """The output folder of the scheduled crawl (absolute), its options checked now as ``souverain crawl`` would
    check them at run time (a mistake here would fail every night): any mistake raises `ArchiveError`."""
    from crawler.argtypes import OptionError
    from crawler.cli.common import UserError
    from crawler.cli.crawl import crawl_options
    from crawler.cli.parser import build_parser
    from crawler.discovery.window import WindowError
    from crawler.profiles import ProfileError
    from crawler.topic import TopicError

    try:
        options = crawl_options(build_parser().parse_args(["crawl", *crawl_args]))
    except (OptionError, UserError, ProfileError, TopicError, WindowError) as exc:
        raise ArchiveError(f"bad `souverain crawl` options after -- ({shlex.join(crawl_args)}): {exc}") from None
    return Path.cwd() / options.out


def souverain_command() -> list[str]:
    """The absolute ``souverain`` console script beside this interpreter (else ``python -m crawler.cli``)."""
    script = Path(sys.executable).with_name("souverain")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]


NEITHER = ("neither a systemd user session (`systemctl --user`) nor `crontab` is available: install cron "
           "(`apt-get install cron`), or log in through systemd-logind and retry")


def detect_kind() -> str | None:
    """``systemd`` when ``systemctl --user`` answers, else ``cron`` when ``crontab`` exists, else None."""
    if user_systemd_works():
        return "systemd"
    if shutil.which("crontab"):
        return "cron"
    return None


def user_systemd_works() -> bool:
    """True when a systemd user manager answers ``systemctl --user show-environment``."""
    if not shutil.which("systemctl"):
        return False
    result = subprocess.run(["systemctl", "--user", "show-environment"], capture_output=True)
    return result.returncode == 0


def systemd_units(every: str, hour: int, minute: int, command: list[str], workdir: Path) -> dict[Path, str]:
    """The service and timer unit files, by path (under ``$XDG_CONFIG_HOME/systemd/user``)."""
    folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"
    when = f"hourly at minute {minute:02d}" if every == "hourly" else f"{every} at {hour:02d}:{minute:02d}"
    service = (
        f"# Written by `souverain schedule install`; stop with `systemctl --user disable --now {UNIT}.timer`.\n"
        "[Unit]\nDescription=souverain crawl (topical web archive)\n\n"
        "[Service]\nType=oneshot\n"
        f"WorkingDirectory={workdir.as_posix().replace('%', '%%')}\n"
        f"ExecStart={' '.join(systemd_quote(arg) for arg in command)}\n"
        "Nice=10\n"
    )
    timer = (
        "# Written by `souverain schedule install`.\n"
        f"[Unit]\nDescription=souverain crawl, {when}\n\n"
        f"[Timer]\nOnCalendar={ON_CALENDAR[every].format(h=hour, m=minute)}\n"
        "Persistent=true\nRandomizedDelaySec=5min\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {folder / f"{UNIT}.service": service, folder / f"{UNIT}.timer": timer}


def systemd_quote(arg: str) -> str:
    """One ExecStart word: specifiers and variables escaped, quoted when it has spaces or quotes."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[\w@%+=:,./$-]+", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def install_systemd(files: dict[Path, str], announce: Callable[[str], None]) -> int:
    """Write the unit files, then reload and enable the timer when a user manager answers."""
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = " and ".join(str(path) for path in files)
    if not user_systemd_works():
        announce(escape(f"schedule: wrote {written}; not enabled: `systemctl --user` has no user session here. "
                        f"In a login session of this user run: {ENABLE}"))
        return 0
    for action in (["daemon-reload"], ["enable", "--now", f"{UNIT}.timer"]):
        result = subprocess.run(["systemctl", "--user", *action], capture_output=True, text=True)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise ArchiveError(f"systemctl --user {' '.join(action)} failed: {reason}")
    announce(escape(f"schedule: wrote {written} and enabled {UNIT}.timer "
                    f"(check with `systemctl --user list-timers {UNIT}.timer`, logs with "
                    f"`journalctl --user -u {UNIT}`; to run while logged out: `loginctl enable-linger`)"))
    return 0


def cron_line(every: str, hour: int, minute: int, command: list[str], workdir: Path, out: Path) -> str:
    """The crontab line: run from ``workdir``, append to ``OUT/runs/schedule.log``, marked for replacement."""
    log = out / "runs" / "schedule.log"
    shell = (f"cd {shlex.quote(str(workdir))} && mkdir -p {shlex.quote(str(log.parent))} && "
             f"{shlex.join(command)} >> {shlex.quote(str(log))} 2>&1")
    return f"{CRON_FIELDS[every].format(h=hour, m=minute)} {shell.replace('%', chr(92) + '%')} {CRON_MARK}"


def install_cron(line: str, announce: Callable[[str], None]) -> int:
    """Add the line to the user's crontab, replacing an earlier souverain line."""
    if not shutil.which("crontab"):
        raise ArchiveError("`crontab` is not available: install cron (`apt-get install cron`) or use --kind systemd")
    current = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    if current.returncode != 0 and "no crontab" not in current.stderr:
        raise ArchiveError(f"cannot read your crontab: {current.stderr.strip() or 'crontab -l failed'}")
    kept = [old for old in current.stdout.splitlines() if not old.rstrip().endswith(CRON_MARK)]
    result = subprocess.run(["crontab", "-"], input="\n".join([*kept, line]) + "\n", capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ArchiveError(f"crontab refused the new line: {reason}")
    announce(escape(f"schedule: added to your crontab (`crontab -l` shows it): {line}"))
    return 0
