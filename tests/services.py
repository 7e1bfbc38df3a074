"""Real services for the tests and benchmarks that need them: a local Ray cluster and a PostgreSQL server.

Both start in a temporary place, on free ports, and stop (with everything they started) when the block
ends; nothing outlives a test run. PostgreSQL comes from Debian's package (scripts/setup.sh --test installs
it); its server refuses to run as root, so as root it runs as the package's `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")


class ServiceUnavailable(RuntimeError):
    """A service could not start on this machine (not installed, or refused to start): a reason to skip."""


def started(stack: contextlib.ExitStack, service: contextlib.AbstractContextManager[str]) -> str:
    """Enter `service` on `stack`; a service that cannot start skips the tests that need it, with its reason,
    unless CI_REQUIRE_SERVICES=1 (.ci/run sets it: there they must run)."""
    import pytest

    try:
        return stack.enter_context(service)
    except ServiceUnavailable as why:
        if os.environ.get("CI_REQUIRE_SERVICES") == "1":
            raise
        pytest.skip(str(why))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def ray_cluster(workers: int = 2, cpus_per_worker: int = 1) -> Iterator[str]:
    """A Ray head (no CPUs of its own: it schedules) and `workers` worker nodes on this machine; yields the
    head's address, as TASTEMAKER_RAY_ADDRESS takes it. Ray's own multi-node-on-one-machine cluster."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    from ray.cluster_utils import Cluster

    store = 100 * 1024 * 1024  # small: the jobs pass clips and tags, not whole libraries
    cluster = None
    try:
        try:
            cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "object_store_memory": store,
                                                                    "include_dashboard": False})
            for _ in range(workers):
                cluster.add_node(num_cpus=cpus_per_worker, object_store_memory=store)
            cluster.wait_for_nodes()
        except Exception as exc:  # noqa: BLE001 - whatever stops Ray starting here is the reason to report
            raise ServiceUnavailable(f"a local Ray cluster could not start here: {type(exc).__name__}: {exc}") from exc
        yield cluster.address
    finally:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        if cluster is not None:
            cluster.shutdown()


def _pg_bin() -> Path:
    versions = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not versions:
        raise ServiceUnavailable("PostgreSQL's server is not installed (Debian package `postgresql`; "
                                 "scripts/setup.sh --test installs it).")
    return versions[-1].parent


@contextlib.contextmanager
def postgres_server(password: str = "s3cret-test") -> Iterator[str]:
    """A PostgreSQL server in a temporary folder, with a database and a password user; yields its URL."""
    bin_dir = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="tastemaker-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse root
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise ServiceUnavailable("PostgreSQL refuses to run as root and there is no `postgres` user to run it "
                                     "as (Debian's postgresql package creates one).") from None
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    pwfile = folder / "pw"

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       cwd=folder)

    running = False
    try:
        try:
            run("sh", "-c", f"umask 077 && printf %s '{password}' > {pwfile}")
            run(str(bin_dir / "initdb"), "-D", str(data), "-U", "tastemaker", f"--pwfile={pwfile}",
                "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions")
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB "
                "-c max_connections=60", "start")
        except subprocess.CalledProcessError as exc:
            said = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            program = Path(exc.cmd[len(as_user)]).name
            raise ServiceUnavailable(f"a PostgreSQL server could not start here ({program}): {said[0]}") from exc
        running = True
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="tastemaker", password=password, dbname="postgres",
                             autocommit=True) as db:
            db.execute("CREATE DATABASE tastemaker")
        yield f"postgresql://tastemaker:{password}@127.0.0.1:{port}/tastemaker"
    finally:
        if running:
            with contextlib.suppress(subprocess.CalledProcessError):
                run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        for _ in range(20):  # the server's last files may still be closing
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                break
            time.sleep(0.1)


@contextlib.contextmanager
def chat_server(env: dict[str, str], startup_s: float = 120.0) -> Iterator[str]:
    """`tastemaker chat` on a free port with `env`; yields its URL and stops it after."""
    import sys

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "chat", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, line, seen = time.monotonic() + startup_s, "", []
        while "running at" not in line and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            seen.append(line)
        if "running at" not in line:
            raise RuntimeError("the chat server did not start:\n" + "".join(seen[-20:]))
        # keep reading what it says, so that a full pipe never stalls it
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def new_database(server_url: str, name: str) -> str:
    """A new, empty database on the server of `server_url`; its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def crash_once(marker: str, value: int) -> int:
    """A job whose first run kills its worker process (as the OOM killer would); `value` squared after."""
    path = Path(marker)
    if not path.exists():
        path.touch()
        os._exit(1)
    return value * value
