"""The code a benchmark serves: this working tree, or another git revision for a before/after.

A baseline revision is checked out into a temporary `git worktree` and served from there with
the same virtualenv (its `src/` first on `PYTHONPATH`), so the before and after figures come
from one run on one machine in the same minutes. The worktree is removed afterwards.

The demo bot's trained model takes minutes to train on a small machine, and a benchmark of the
API should not measure training. `demo_server` therefore keeps each tree's `models/` folder
(trained models and the embedding cache) under a cache folder, keyed by the git tree of its
`src/` and, for a working tree with changes there, a hash of those changes (commits that change
only benchmarks or tests share the model). The first start of a tree trains and waits until
the whole model (the e5 part) is saved; later ones load it. Everything else — the database, the
secret, the help pages' index — is new for every server.
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO, Server, server, settle

TRAINED_STAMP = "trained"


@dataclass(frozen=True)
class Tree:
    label: str  # as the tables name it
    root: Path
    commit: str
    key: str  # names its model cache

    @property
    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.root / "src")}


def _git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def this_tree() -> Tree:
    commit = _git("rev-parse", "HEAD")
    changes = _git("diff", "HEAD", "--", "src") + _git(
        "ls-files", "--others", "--exclude-standard", "--", "src"
    )
    key = _git("rev-parse", "HEAD:src")[:12]
    label = f"this tree ({commit[:7]}"
    if changes:
        key += "-" + hashlib.sha256(changes.encode()).hexdigest()[:8]
        label += " + changes"
    return Tree(label + ")", REPO, commit, key)


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Tree]:
    """`rev` in a temporary worktree, removed afterwards."""
    commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    key = _git("rev-parse", f"{commit}:src")[:12]
    folder = Path(tempfile.mkdtemp(prefix="samtale-baseline-"))
    _git("worktree", "add", "--detach", str(folder), commit)
    try:
        yield Tree(f"{rev} ({commit[:7]})", folder, commit, key)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=REPO, check=False)


def _models(cache: Path, tree: Tree) -> Path:
    folder = cache / tree.key / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait_trained(models: Path, since: float, pid: int, timeout: float = 3600) -> None:
    """Until a whole model (saved only with its e5 part) is written after `since`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(p.stat().st_mtime >= since for p in models.glob("*.model")):
            return
        if not Path(f"/proc/{pid}").exists():
            raise RuntimeError("the server stopped while training its bot")
        time.sleep(1)
    raise RuntimeError("the demo bot's whole model was not trained in time")


@contextlib.contextmanager
def demo_server(
    tree: Tree,
    database_url: str | None,
    cache: Path,
    extra_env: dict[str, str] | None = None,
    log_path: str | None = None,
) -> Iterator[Server]:
    """`samtale demo` of `tree` in its own process, its bot's whole model loaded and its start-up
    work (indexing the help pages) done. The demo's SQLite database is in the (new) data folder
    unless `database_url` names another."""
    models = _models(cache, tree)
    stamp = models.parent / TRAINED_STAMP
    with tempfile.TemporaryDirectory(prefix="samtale-bench-") as data:
        (Path(data) / "models").symlink_to(models, target_is_directory=True)
        started = time.time()
        env = {**tree.env, **(extra_env or {})}
        with server(database_url, env, demo=True, data_dir=data, log_path=log_path) as running:
            if not stamp.exists():
                print(f"  (training {tree.label}'s demo bot once: its model is kept in {models})")
                _wait_trained(models, started, running.pid)
                stamp.write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))
            settle(running.pid, busy=0.2, window=2.0)
            yield running
