"""Tests of ``souverain schedule install`` (crawler/schedule.py) with stand-in systemctl and crontab.

Every test runs with PATH holding only stand-in commands, so the real user's crontab and systemd are never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.schedule import cron_line, souverain_command, systemd_quote, systemd_units

SOUVERAIN = souverain_command()[0]

FAILING_SYSTEMCTL = '#!/bin/sh\necho "Failed to connect to bus: No medium found" >&2\nexit 1\n'
WORKING_SYSTEMCTL = '#!/bin/sh\necho "$@" >> "$(/usr/bin/dirname "$0")/systemctl.calls"\n'
CRONTAB = """#!/bin/sh
table="$(/usr/bin/dirname "$0")/crontab.txt"
if [ "$1" = "-l" ]; then
    [ -f "$table" ] || { echo "no crontab for $USER" >&2; exit 1; }
    exec /bin/cat "$table"
fi
exec /bin/cat > "$table"
"""


@pytest.fixture
def fake(tmp_path: Path):
    """A home, an XDG_CONFIG_HOME and a bin folder of stand-in commands; returns (bin, run)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "USER": "tester", "LANG": "C.UTF-8"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*souverain_command(), "schedule", "install", *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)

    return bin_dir, run


def stand_in(bin_dir: Path, name: str, script: str) -> None:
    """Put an executable stand-in command into the fake PATH."""
    path = bin_dir / name
    path.write_text(script)
    path.chmod(0o755)


def test_print_systemd_through_the_cli(fake, tmp_path: Path) -> None:
    bin_dir, run = fake
    result = run("--every", "daily", "--at", "03:00", "--print", "--kind", "systemd", "--", "--out", "/tmp/x")
    assert result.returncode == 0, result.stderr
    units = tmp_path / "config" / "systemd" / "user"
    text = result.stdout
    assert f"# {units / 'souverain-crawl.service'}\n" in text and f"# {units / 'souverain-crawl.timer'}\n" in text
    for line in ("[Service]", "Type=oneshot", f"WorkingDirectory={tmp_path}",
                 f"ExecStart={SOUVERAIN} crawl --out /tmp/x", "Nice=10", "[Timer]", "OnCalendar=*-*-* 03:00:00",
                 "Persistent=true", "RandomizedDelaySec=5min", "WantedBy=timers.target"):
        assert f"\n{line}\n" in text, line
    assert Path(SOUVERAIN).is_absolute() and Path(SOUVERAIN).exists()
    assert not (tmp_path / "config").exists(), "--print installs nothing"


def test_print_cron_through_the_cli(fake, tmp_path: Path) -> None:
    bin_dir, run = fake
    stand_in(bin_dir, "crontab", CRONTAB)
    result = run("--every", "daily", "--at", "03:00", "--print", "--kind", "cron", "--", "--out", "/tmp/x")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"0 3 * * * cd {tmp_path} && mkdir -p /tmp/x/runs && {SOUVERAIN} crawl --out /tmp/x "
                             ">> /tmp/x/runs/schedule.log 2>&1 # souverain-crawl\n")
    assert not (bin_dir / "crontab.txt").exists(), "--print installs nothing"


@pytest.mark.parametrize(("every", "at", "calendar", "fields"), [
    ("hourly", "07:15", "*-*-* *:15:00", "15 * * * *"),
    ("daily", "23:59", "*-*-* 23:59:00", "59 23 * * *"),
    ("weekly", "4:30", "Mon *-*-* 04:30:00", "30 4 * * 1"),
])
def test_every_maps_to_calendar_and_cron_fields(every: str, at: str, calendar: str, fields: str) -> None:
    hour, minute = (int(part) for part in at.split(":"))
    service, timer = systemd_units(every, hour, minute, ["/bin/souverain", "crawl"], Path("/srv")).values()
    assert f"\nOnCalendar={calendar}\n" in timer
    assert cron_line(every, hour, minute, ["/bin/souverain", "crawl"], Path("/srv"), Path("/srv/out")).startswith(
        fields + " cd /srv && ")


def test_relative_out_and_default_out_resolve_against_the_working_directory(fake, tmp_path: Path) -> None:
    _, run = fake
    assert f">> {tmp_path}/data/runs/schedule.log" in run("--print", "--kind", "cron", "--", "--out", "data").stdout
    assert f">> {tmp_path}/out/runs/schedule.log" in run("--print", "--kind", "cron").stdout


def test_odd_characters_are_quoted_for_each_kind() -> None:
    command = ["/opt/my venv/bin/souverain", "crawl", "--out", "/data/50%$x"]
    service = next(iter(systemd_units("daily", 3, 0, command, Path("/srv/a%b")).values()))
    assert '\nExecStart="/opt/my venv/bin/souverain" crawl --out /data/50%%$$x\n' in service
    assert "\nWorkingDirectory=/srv/a%%b\n" in service
    assert systemd_quote('say "hi"') == '"say \\"hi\\""'
    line = cron_line("daily", 3, 0, command, Path("/srv"), Path("/data/50%$x"))
    assert "'/opt/my venv/bin/souverain' crawl --out '/data/50\\%$x' >> '/data/50\\%$x/runs/schedule.log'" in line


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_install_without_a_user_session_writes_the_units_and_says_what_to_run(fake, tmp_path: Path) -> None:
    bin_dir, run = fake
    stand_in(bin_dir, "systemctl", FAILING_SYSTEMCTL)
    result = run("--kind", "systemd", "--every", "weekly", "--at", "04:30", "--", "--out", "/data/souverain")
    assert result.returncode == 0, result.stderr
    units = tmp_path / "config" / "systemd" / "user"
    assert "OnCalendar=Mon *-*-* 04:30:00" in (units / "souverain-crawl.timer").read_text()
    assert f"ExecStart={SOUVERAIN} crawl --out /data/souverain" in (units / "souverain-crawl.service").read_text()
    assert "not enabled" in result.stdout
    assert "systemctl --user daemon-reload && systemctl --user enable --now souverain-crawl.timer" in result.stdout
    verify = subprocess.run(["systemd-analyze", "verify", "souverain-crawl.service", "souverain-crawl.timer"],
                            capture_output=True, text=True, cwd=units, timeout=60)
    assert verify.returncode == 0, verify.stderr


def test_systemd_install_enables_the_timer_when_a_user_manager_answers(fake, tmp_path: Path) -> None:
    bin_dir, run = fake
    stand_in(bin_dir, "systemctl", WORKING_SYSTEMCTL)
    result = run("--", "--out", "/data/souverain")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "config" / "systemd" / "user" / "souverain-crawl.timer").exists()
    calls = (bin_dir / "systemctl.calls").read_text().splitlines()
    assert calls[-2:] == ["--user daemon-reload", "--user enable --now souverain-crawl.timer"]
    assert "enabled souverain-crawl.timer" in result.stdout


def test_cron_install_replaces_the_previous_souverain_line_only(fake) -> None:
    bin_dir, run = fake
    stand_in(bin_dir, "systemctl", FAILING_SYSTEMCTL)
    stand_in(bin_dir, "crontab", CRONTAB)
    first = run("--at", "02:00", "--", "--out", "/data/a")
    assert first.returncode == 0, first.stderr
    table = bin_dir / "crontab.txt"
    assert table.read_text().startswith("0 2 * * * cd ")
    table.write_text("MAILTO=me@example.org\n" + table.read_text() + "5 * * * * /usr/bin/backup\n")
    second = run("--at", "03:15", "--every", "weekly", "--", "--out", "/data/b")
    assert second.returncode == 0, second.stderr
    lines = table.read_text().splitlines()
    assert lines[:2] == ["MAILTO=me@example.org", "5 * * * * /usr/bin/backup"]
    assert len(lines) == 3 and lines[2].startswith("15 3 * * 1 cd ") and "--out /data/b" in lines[2]
    assert "added to your crontab" in second.stdout


def test_auto_without_systemd_or_cron_says_what_to_install(fake, tmp_path: Path) -> None:
    bin_dir, run = fake
    stand_in(bin_dir, "systemctl", FAILING_SYSTEMCTL)
    result = run("--", "--out", "/data/x")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("souverain: error: neither a systemd user")
    assert "apt-get install cron" in result.stderr
    assert not (tmp_path / "config").exists() and not (tmp_path / "home").exists()


@pytest.mark.parametrize("systemctl", [None, FAILING_SYSTEMCTL])
def test_print_needs_neither_systemd_nor_cron(fake, tmp_path: Path, systemctl: str | None) -> None:
    """The README's --print example on a machine without cron or a systemd user session: both forms shown."""
    bin_dir, run = fake
    if systemctl:
        stand_in(bin_dir, "systemctl", systemctl)
    result = run("--every", "daily", "--at", "03:00", "--print", "--", "--out", "/data/souverain")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# neither a systemd user session")
    assert f"\nExecStart={SOUVERAIN} crawl --out /data/souverain\n" in result.stdout
    assert f"\n0 3 * * * cd {tmp_path} && mkdir -p /data/souverain/runs && {SOUVERAIN} crawl --out /data/souverain " \
           in result.stdout
    assert not (tmp_path / "config").exists(), "--print installs nothing"


@pytest.mark.parametrize(("crawl_args", "message"), [
    (["--sit", "clubic"], "unrecognized arguments: --sit clubic"),
    (["--root", "clubic=127.0.0.1:80"], "bad root for clubic: '127.0.0.1:80'"),
    (["--site", "clubic", "--root", "numerama=http://127.0.0.1:8001"], "--root given for numerama, which is not crawled"),
    (["--topic", "astrologie"], "unknown topic 'astrologie'"),
    (["--since", "2015"], "bad --since '2015'"),
    (["--max-pages", "-1"], "argument --max-pages: -1 is out of range"),
    (["-s", "lower=1"], "bad -s 'lower=1'"),
])
@pytest.mark.parametrize("kind", ["systemd", "cron"])
def test_bad_crawl_options_are_refused_before_anything_is_written(fake, tmp_path: Path, crawl_args: list[str],
                                                                  message: str, kind: str) -> None:
    bin_dir, run = fake
    stand_in(bin_dir, "systemctl", WORKING_SYSTEMCTL)
    stand_in(bin_dir, "crontab", CRONTAB)
    result = run("--kind", kind, "--", *crawl_args)
    assert (result.returncode, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("souverain: error: bad `souverain crawl` options after -- "), lines
    assert message in lines[0]
    assert not (tmp_path / "config").exists() and not (bin_dir / "crontab.txt").exists()
    assert not (bin_dir / "systemctl.calls").exists()


@pytest.mark.parametrize("at", ["24:00", "03:60", "3h", "", "03:00:00"])
def test_bad_at_is_one_line_and_exit_1(fake, at: str) -> None:
    _, run = fake
    result = run("--at", at, "--print", "--kind", "cron")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"souverain: error: bad --at {at!r}: expected HH:MM between 00:00 and 23:59, e.g. 03:00\n"


def test_unknown_crawl_option_is_one_line(fake) -> None:
    _, run = fake
    result = run("--print", "--kind", "cron", "--", "--outt", "/data")
    assert result.returncode == 1
    assert result.stderr == ("souverain: error: bad `souverain crawl` options after -- (--outt /data): "
                             "unrecognized arguments: --outt /data (see souverain --help)\n")


def test_command_falls_back_to_the_module_without_a_console_script(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3"))
    assert souverain_command() == [str(tmp_path / "python3"), "-m", "crawler.cli"]
