"""pywb's own virtual environment: pywb pins old packages and patches with gevent, so it lives apart."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ArchiveError

if TYPE_CHECKING:
    from collections.abc import Callable

PYWB_REQUIREMENT = "pywb>=2.10,<2.11"
VENV_ENV = "SOUVERAIN_REPLAY_VENV"


def replay_venv_path() -> Path:
    """Return where pywb's virtual environment lives.

    Returns:
        ``$SOUVERAIN_REPLAY_VENV`` when set; else ``.venv-replay`` beside the running virtual environment
        when that folder is writable; else ``~/.cache/souverain/venv-replay``.
    """
    if os.environ.get(VENV_ENV):
        return Path(os.environ[VENV_ENV]).expanduser().absolute()
    beside = Path(sys.prefix).parent
    if sys.prefix != sys.base_prefix and os.access(beside, os.W_OK):
        return beside / ".venv-replay"
    return Path.home() / ".cache" / "souverain" / "venv-replay"


def install_command(venv: Path) -> str:
    """Return the shell command that creates pywb's virtual environment by hand."""
    return f"python3 -m venv {venv} && {venv}/bin/pip install '{PYWB_REQUIREMENT}'"


def ensure_pywb(venv: Path | None = None, *, announce: Callable[[str], None] = print) -> Path:
    """Create pywb's virtual environment unless it already holds ``wayback`` and ``wb-manager``.

    Args:
        venv: the virtual environment's folder (default: ``replay_venv_path()``).
        announce: where progress lines go.

    Returns:
        The folder of the virtual environment's scripts (``bin``).
    """
    venv = venv or replay_venv_path()
    scripts = venv / "bin"
    if _ready(scripts):
        return scripts
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
        parent = os.open(venv.parent, os.O_RDONLY)  # locked so that two first uses install once
        try:
            fcntl.flock(parent, fcntl.LOCK_EX)
            if not _ready(scripts):
                announce(f"souverain: installing pywb into {venv} (first use, about a minute)")
                _run([sys.executable, "-m", "venv", str(venv)])
                _run([str(scripts / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      PYWB_REQUIREMENT])
        finally:
            os.close(parent)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ArchiveError(f"cannot install pywb into {venv} ({exc}); run: {install_command(venv)}") from exc
    if not _ready(scripts):
        raise ArchiveError(f"pywb's scripts are missing from {scripts}; run: {install_command(venv)}")
    return scripts


def _ready(scripts: Path) -> bool:
    """Tell whether a virtual environment's scripts folder holds pywb's commands."""
    return (scripts / "wayback").is_file() and (scripts / "wb-manager").is_file()


def _run(command: list[str]) -> None:
    """Run one installation step; its own output goes to the terminal."""
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
