import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_niaga_demo_serves_the_home_page_and_prints_the_sign_ins(tmp_path):
    port = free_port()
    env = {**os.environ, "NIAGA_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "demo.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", "demo", "--port", str(port), "--size", "30"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        log.seek(0)
        printed = log.read()
        assert body is not None, printed
        assert "Niaga" in body
        assert f"http://localhost:{port}/" in printed
        assert "admin@niaga.demo" in printed
        assert "buyer@niaga.demo" in printed
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    assert not _workers_of(tmp_path), "the demo's background worker outlived it"


def _workers_of(data_dir) -> list[int]:
    """Worker processes still running with this test's data directory."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline", "environ"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            environ = process.info["environ"] or {}
        except (psutil.Error, TypeError):
            continue
        if "niaga.cli worker" in cmdline and environ.get("NIAGA_DATA_DIR") == str(data_dir):
            found.append(process.info["pid"])
    return found
