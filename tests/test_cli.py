import os
import subprocess
import sys

import pytest

from niaga.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--port", "http"],
        ["demo", "--port", "70000"],
        ["seed", "--size", "huge"],
        ["seed", "--size", "0"],
        ["launch"],
    ],
)
def test_bad_arguments_are_refused_with_a_message(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_sizes_and_ports_parse():
    args = build_parser().parse_args(["demo", "--port", "8765", "--size", "medium"])
    assert (args.port, args.size) == (8765, "medium")
    assert build_parser().parse_args(["seed", "--size", "1500"]).size == 1500


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "NIAGA_ENV": "production",
        "NIAGA_SECRET_KEY": "x7Hq-" + "kP2mZ9vR4tW8yB3nC6dF1gJ5hL0sA" * 2,
        "NIAGA_ALLOWED_HOSTS": "niaga.example.org",
        "NIAGA_DATA_DIR": str(tmp_path),
        "NIAGA_CREDENTIAL_SIGNING_KEY": "nS2nqv0k1rGk3xG7cVQ0o2f3n8Yw7n0m2V9bq6yD1kA",
        "NIAGA_PAYMENT_WEBHOOK_SECRET": "whsec-" + "q8Lm2Zr5Tn" * 4,
    }
    for variable in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(variable, None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "niaga.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "NIAGA_ENV": "production", "NIAGA_DATA_DIR": str(tmp_path)}
    env.pop("NIAGA_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "niaga.cli", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "NIAGA_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_credential_signing_key(tmp_path):
    env = {
        **os.environ,
        "NIAGA_ENV": "production",
        "NIAGA_SECRET_KEY": "x7Hq-" + "kP2mZ9vR4tW8yB3nC6dF1gJ5hL0sA" * 2,
        "NIAGA_DATA_DIR": str(tmp_path),
    }
    env.pop("NIAGA_CREDENTIAL_SIGNING_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "niaga.cli", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "NIAGA_CREDENTIAL_SIGNING_KEY" in result.stderr
