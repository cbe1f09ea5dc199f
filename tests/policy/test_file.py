"""The policy file: where it is found, what it may hold, and how each value's source is known."""

from __future__ import annotations

from pathlib import Path

import pytest

from qase_contract._config import SETTINGS, TABLES, load_policy
from qase_contract.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_the_table_is_found_by_walking_up_and_its_paths_are_taken_from_its_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.qase-contract]\nschemas = "contract"\nstrict = true\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    values = load_policy(deep, {}).for_command("validate")
    assert values["schemas"].value == str(tmp_path / "contract")
    assert values["strict"].value is True
    assert values["strict"].source == "file"
    assert values["strict"].origin == "pyproject.toml [tool.qase-contract]"
    assert values["strict"].place == "pyproject.toml: [tool.qase-contract] strict"


def test_a_pyproject_without_the_table_is_passed_over_like_ruff_does(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.qase-contract]\nstrict = true\n")
    write(tmp_path / "app" / "pyproject.toml", '[project]\nname = "app"\n')
    assert load_policy(tmp_path / "app", {}).for_command("validate")["strict"].value is True


def test_qase_contract_toml_wins_over_the_pyproject_table_beside_it_and_says_so(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.qase-contract]\nstrict = true\n")
    write(tmp_path / "qase-contract.toml", "strict = false\n[validate]\nformat = 'github'\n")
    policy = load_policy(tmp_path, {})
    assert policy.file is not None
    assert policy.file.path == tmp_path / "qase-contract.toml"
    assert policy.file.hidden == tmp_path / "pyproject.toml"
    values = policy.for_command("validate")
    assert values["strict"].value is False
    assert values["format"].origin == "qase-contract.toml [validate]"


def test_the_nearest_folder_with_a_policy_wins(tmp_path: Path) -> None:
    write(tmp_path / "qase-contract.toml", "strict = true\n")
    write(tmp_path / "service" / "pyproject.toml", "[tool.qase-contract]\nstrict = false\n")
    assert load_policy(tmp_path / "service", {}).for_command("validate")["strict"].value is False


def test_the_environment_beats_the_command_table_which_beats_the_shared_one(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        "[tool.qase-contract]\nformat = 'json'\nstrict = true\n"
        "[tool.qase-contract.validate]\nformat = 'sarif'\n",
    )
    policy = load_policy(tmp_path, {"QASE_CONTRACT_STRICT": "no"})
    validate, drift = policy.for_command("validate"), policy.for_command("drift")
    assert (validate["format"].value, drift["format"].value) == ("sarif", "json")
    assert validate["strict"].value is False
    assert (validate["strict"].source, validate["strict"].origin) == ("environment", "QASE_CONTRACT_STRICT")
    assert (
        load_policy(tmp_path, {"QASE_CONTRACT_FORMAT": "text"}).for_command("validate")["format"].value
        == "text"
    )


def test_qase_contract_config_names_the_file_and_its_kind_by_its_name(tmp_path: Path) -> None:
    write(tmp_path / "ci" / "policy.toml", "strict = true\n")
    write(tmp_path / "ci" / "pyproject.toml", "[tool.qase-contract]\nreads = 'r.json'\n")
    named = load_policy(tmp_path, {"QASE_CONTRACT_CONFIG": "ci/policy.toml"}).for_command("validate")
    assert named["strict"].value is True
    project = load_policy(tmp_path, {"QASE_CONTRACT_CONFIG": "ci/pyproject.toml"}).for_command("validate")
    assert project["reads"].value == str(tmp_path / "ci" / "r.json")
    with pytest.raises(ConfigError, match=r"QASE_CONTRACT_CONFIG=nope.toml: no such file"):
        load_policy(tmp_path, {"QASE_CONTRACT_CONFIG": "nope.toml"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "strictt = true",
            r"pyproject.toml: \[tool.qase-contract\] strictt: unknown key; did you mean strict\? "
            r"\(allowed: schemas, strict, reads, baseline, max-record-size, format, color\)",
        ),
        ("strict = 'yes'", r"\[tool.qase-contract\] strict: expected true or false, got 'yes'"),
        ("max-record-size = '1MB'", r"max-record-size: expected a whole number, got '1MB'"),
        ("schemas = 3", r"schemas: expected a folder \(a string; relative to the file's folder\), got 3"),
        ("port = 9000", r"\[tool.qase-contract\] port: it belongs in \[tool.qase-contract.listen\]"),
        (
            "[tool.qase-contract.valdate]\nstrict = true",
            r"\[tool.qase-contract\] valdate: no command has this table; did you mean validate\?",
        ),
        (
            "[tool.qase-contract.drift]\nstrict = true",
            r"\[tool.qase-contract.drift\] strict: it belongs in \[tool.qase-contract.validate\] or "
            r"\[tool.qase-contract.listen\] or \[tool.qase-contract.pytest\]",
        ),
        ("validate = true", r"\[tool.qase-contract\] validate: expected a table of validate's settings"),
        ("reads = ''", r"reads: the path is empty"),
    ],
)
def test_an_unusable_key_or_value_names_the_file_the_key_and_what_is_allowed(
    tmp_path: Path, text: str, message: str
) -> None:
    body = text if text.startswith("[") else f"[tool.qase-contract]\n{text}"
    write(tmp_path / "pyproject.toml", body + "\n")
    with pytest.raises(ConfigError, match=message):
        load_policy(tmp_path, {})


def test_broken_toml_is_an_error_in_our_file_and_ignored_in_someone_elses(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project\nname = 1\n")
    assert load_policy(tmp_path, {}).file is None
    write(tmp_path / "pyproject.toml", "[tool.qase-contract\nstrict = true\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: not valid TOML: "):
        load_policy(tmp_path, {})
    write(tmp_path / "pyproject.toml", "[project]\n")
    write(tmp_path / "qase-contract.toml", "strict = \n")
    with pytest.raises(ConfigError, match=r"^qase-contract.toml: not valid TOML: "):
        load_policy(tmp_path, {})


@pytest.mark.parametrize(
    ("variable", "text", "message"),
    [
        ("QASE_CONTRACT_STRICT", "maybe", r"QASE_CONTRACT_STRICT='maybe': expected 1, true, yes or on"),
        (
            "QASE_CONTRACT_MAX_RECORD_SIZE",
            "1MB",
            r"QASE_CONTRACT_MAX_RECORD_SIZE='1MB': expected a whole number",
        ),
    ],
)
def test_an_unusable_environment_value_names_the_variable(variable: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_policy(None, {variable: text}).for_command("validate")


@pytest.mark.parametrize(
    ("text", "value"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("", False)]
)
def test_environment_flags_read_the_usual_words(text: str, value: bool) -> None:
    assert load_policy(None, {"QASE_CONTRACT_STRICT": text}).for_command("validate")["strict"].value is value


def test_an_empty_environment_variable_that_is_not_a_flag_is_not_set(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.qase-contract]\nformat = 'json'\n")
    assert load_policy(tmp_path, {"QASE_CONTRACT_FORMAT": ""}).for_command("drift")["format"].value == "json"


def test_every_setting_is_taken_by_a_command_and_every_table_names_a_command() -> None:
    assert all(setting.commands for setting in SETTINGS)
    assert set(TABLES) <= {command for setting in SETTINGS for command in setting.commands}
    assert all(setting.shared or set(setting.commands) <= set(TABLES) for setting in SETTINGS)
