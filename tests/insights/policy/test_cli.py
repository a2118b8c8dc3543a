import json
import subprocess
import sys

import pytest

from niaga.insights.policy.cli import simulate_file

KEYS = {"beneficiaries", "waived_turnover", "fees_waived", "induced_sales"}


@pytest.fixture
def params(tmp_path, two_countries):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(two_countries))
    return path


def test_json_output_is_one_object_with_the_keys(params, capsys):
    assert simulate_file(params, as_json=True) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["countries"]) == {"ID", "IN"}
    for row in out["countries"].values():
        assert set(row) >= KEYS
    assert out["countries"]["ID"]["beneficiaries"] == pytest.approx(500)
    assert "net_trade_home" in out and "break_even_T" in out


def test_a_readable_table_without_json(params, capsys):
    assert simulate_file(params, as_json=False) == 0
    out = capsys.readouterr().out
    assert "beneficiaries" in out and "ID" in out and "Net trade" in out


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert simulate_file(tmp_path / "nope.json", as_json=True) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Cannot read" in captured.err


def test_invalid_json_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    assert simulate_file(path, as_json=True) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_invalid_parameters_exit_2_naming_the_field(params, two_countries, capsys):
    two_countries["countries"]["IN"]["sigma"] = 0
    params.write_text(json.dumps(two_countries))
    assert simulate_file(params, as_json=True) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "countries.IN.sigma" in captured.err


def test_the_niaga_command(params):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "niaga.cli",
            "policy",
            "simulate",
            "--params",
            str(params),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["countries"]["ID"]["beneficiaries"] == pytest.approx(500)
