"""The pytest plugin: contract checks, sample deliveries and a live receiver in any test suite.

The only module that imports pytest, and a thin one: it reads options, keeps its state in
``config.stash`` and hands the work to the core. Importing it builds nothing (DESIGN
decision 4): the schemas are loaded on first use, and every core module is imported
inside the hook or fixture that needs it, so sessions that never use the plugin do not
pay for it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from qase_contract._config import Value
    from qase_contract.contract._reads import ReadSet
    from qase_contract.sources._model import Delivery
    from qase_contract.testing._reads import ReadRecorder
    from qase_contract.testing._receiver import LiveReceiver
    from qase_contract.validation._validator import Validator

#: An entry point: pytest finds its hooks and fixtures by name; only the warning category is
#: for import (to name it in ``filterwarnings``).
__all__ = ["QaseDeliveryWarning"]


class QaseDeliveryWarning(pytest.PytestWarning):
    """``qase_delivery`` built a delivery that does not conform to the session's contract (an
    override that replaced a list whole, a wrong type): the test may not test what it means to.
    Under strict mode the test fails instead. ``qase_delivery(..., check=False)`` builds a
    non-conforming delivery on purpose; ``filterwarnings`` can name this category."""


STRICT_MARKER = "qase_strict"
CAPTURE_MARKER = "qase_capture"
_MARKERS = (
    f"{STRICT_MARKER}(enabled=True): judge this test's deliveries strictly, so drift (unknown fields, "
    "values, events) fails qase_receiver and assert_conforms; qase_strict(False) relaxes one test "
    "under --qase-strict.",
    f"{CAPTURE_MARKER}: a captured delivery turned into a test by --qase-captures "
    f"(select them with -m {CAPTURE_MARKER}).",
)


@dataclass
class _Settings:
    """The session's options, and its validator once something needs it."""

    strict: bool
    schemas: Path | None
    captures: list[str]
    reads: ReadSet | None = None
    reads_file: Path | None = None
    #: --qase-record-reads: the file, and the recorder of this process.
    record_file: Path | None = None
    #: The file as the command line named it, for messages (as every other path is shown).
    record_shown: str = ""
    recorder: ReadRecorder | None = None
    recorded: ReadSet | None = None
    #: Events this session's deliveries were read whole for (serialised, say, to post as JSON).
    read_whole: tuple[str, ...] = ()
    record_error: str | None = None
    _validator: Validator | None = field(default=None, repr=False)

    def validator(self) -> Validator:
        if self._validator is None:
            from qase_contract.validation._validator import Validator

            # The overlay and the read-set were checked at configure time.
            self._validator = Validator(strict=self.strict, schemas=self.schemas, reads=self.reads)
        return self._validator

    def strict_for(self, node: pytest.Item) -> bool:
        marker = node.get_closest_marker(STRICT_MARKER)
        if marker is None:
            return self.strict
        return bool(marker.args[0] if marker.args else marker.kwargs.get("enabled", True))


_SETTINGS = pytest.StashKey[_Settings]()
_RECEIVER = pytest.StashKey["LiveReceiver"]()
#: The key of a pytest-xdist worker's recorded reads in what it sends the controller.
_WORKER_READS = "qase_contract_reads"


class _Hooks:
    """The hooks the plugin adds; implement them in a ``conftest.py``."""

    @pytest.hookspec
    def pytest_qase_handle_capture(self, delivery: dict[str, Any], item: pytest.Item) -> None:
        """Hand a captured delivery (``--qase-captures``) to your consumer's code.

        Called by each capture item whose delivery passed its contract check, with the parsed
        delivery (a tracked one under ``--qase-record-reads``); an exception fails the item.
        """


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(_Hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qase-contract", "Qase webhook contract (qase-contract)")
    group.addoption(
        "--qase-strict",
        action="store_true",
        default=None,
        help="drift (unknown fields, values, events) fails like a violation. "
        "ini: qase_contract_strict; policy: strict.",
    )
    group.addoption(
        "--qase-schemas",
        metavar="DIR",
        default=None,
        help="folder of overlay schemas that add or replace events. "
        "ini: qase_contract_schemas; policy: schemas.",
    )
    group.addoption(
        "--qase-captures",
        metavar="PATH",
        action="append",
        default=[],
        help="turn every delivery captured in PATH (JSON, JSON Lines, a folder) into a test; repeatable.",
    )
    group.addoption(
        "--qase-reads",
        metavar="FILE",
        default=None,
        help="your read-set: checks fail only on findings that affect the fields you read. "
        "ini: qase_contract_reads; policy: reads.",
    )
    group.addoption(
        "--qase-record-reads",
        metavar="FILE",
        default=None,
        help="record the fields your tests read from qase_delivery, qase_track and capture deliveries, "
        "and merge them into the read-set FILE at the end of the session.",
    )
    # No default of their own: unset, the policy (QASE_CONTRACT_*, [tool.qase-contract]) decides.
    parser.addini("qase_contract_strict", type="bool", default=None, help="as --qase-strict")
    parser.addini(
        "qase_contract_schemas",
        type="string",
        default="",
        help="as --qase-schemas; a relative folder is taken from the ini file's folder",
    )
    parser.addini(
        "qase_contract_reads",
        type="string",
        default="",
        help="as --qase-reads; a relative file is taken from the ini file's folder",
    )


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    policy = _policy(config)
    strict = config.getoption("qase_strict")
    settings = _Settings(
        strict=bool(_configured_flag(config, policy, "strict") if strict is None else strict),
        schemas=_configured_path(config, policy, "schemas"),
        captures=config.getoption("qase_captures"),
        reads_file=_configured_path(config, policy, "reads"),
    )
    if settings.schemas is not None:
        _check_overlay(settings.schemas)
    if settings.captures:
        _check_captures(settings.captures, config.invocation_params.dir)
    if settings.reads_file is not None:
        settings.reads = _read_set("--qase-reads", settings.reads_file)
    record: str | None = config.getoption("qase_record_reads")
    if record:
        settings.record_file = config.invocation_params.dir / record
        settings.record_shown = record
        _check_record_file(settings.record_file)
        from qase_contract.testing._reads import ReadRecorder

        settings.recorder = ReadRecorder(settings.schemas)
    config.stash[_SETTINGS] = settings


def _policy(config: pytest.Config) -> dict[str, Value]:
    """The policy's values for the plugin ([tool.qase-contract.pytest], then the shared table),
    from the folder pytest runs in."""
    from qase_contract._config import load_policy
    from qase_contract.errors import ConfigError

    try:
        return load_policy(config.invocation_params.dir).for_command("pytest")
    except ConfigError as error:
        message = f"qase-contract: {error}"
    raise pytest.UsageError(message)


def _check_captures(paths: list[str], folder: Path) -> None:
    from qase_contract._util.files import is_missing
    from qase_contract._util.printable import shown_path

    missing = [shown_path(path) for path in paths if is_missing(folder / path)]
    if missing:
        raise pytest.UsageError(f"--qase-captures: no such file or folder: {', '.join(missing)}")


def _read_set(option: str, path: Path) -> ReadSet:
    from qase_contract.contract._reads import ReadSet
    from qase_contract.errors import ReadSetError

    try:
        return ReadSet.read(path)
    except ReadSetError as error:
        message = f"{option}: {error}"
    raise pytest.UsageError(message)


def _check_record_file(path: Path) -> None:
    """The file --qase-record-reads merges into: a read-set already, or a new file in a folder
    that exists (checked at start, so a session's recording is never lost at its end)."""
    if path.exists():
        _read_set("--qase-record-reads", path)
    elif not path.parent.is_dir():
        raise pytest.UsageError(f"--qase-record-reads: {path}: no such folder: {path.parent}")


def _check_overlay(folder: Path) -> None:
    """An overlay the user named is checked at start: one usage error, not a failure per test.
    (Without an overlay nothing is built until a test needs the contract.)"""
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise pytest.UsageError(f"--qase-schemas: {folder}: {what}")
    from qase_contract.errors import SchemaSetError
    from qase_contract.validation._engines import load_schema_set

    try:
        load_schema_set(folder)
    except SchemaSetError as error:
        message = f"--qase-schemas: the overlay is unusable: {error}"
    else:
        return
    raise pytest.UsageError(message)


#: The plugin's option and ini setting of each key of the policy it reads.
_OPTIONS = {"strict": "qase_strict", "schemas": "qase_schemas", "reads": "qase_reads"}


def _configured_flag(config: pytest.Config, policy: dict[str, Value], key: str) -> bool:
    """``--qase-strict`` is read by the caller; then QASE_CONTRACT_STRICT, the ini setting, the
    policy file, and false."""
    given = policy.get(key)
    if given is not None and given.source == "environment":
        return bool(given.value)
    ini = config.getini(f"qase_contract_{key}")
    if isinstance(ini, bool):  # an unset bool setting reads as None (pytest 8: as [])
        return ini
    return bool(given.value) if given is not None else False


def _configured_path(config: pytest.Config, policy: dict[str, Value], key: str) -> Path | None:
    """The path an option gives (from the folder pytest runs in), else its environment variable
    (from there too), else its ini setting (from the ini file's folder), else the policy file's
    (from that file's folder), else None."""
    given: str | None = config.getoption(_OPTIONS[key])
    if given:
        return config.invocation_params.dir / given
    value = policy.get(key)
    if value is not None and value.source == "environment":
        return Path(config.invocation_params.dir, value.value)
    ini: str = config.getini(f"qase_contract_{key}")
    if ini:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return base / ini
    return Path(value.value) if value is not None else None  # made absolute by the policy


def pytest_report_header(config: pytest.Config) -> str:
    from qase_contract._version import __version__

    settings = config.stash[_SETTINGS]
    schemas = "built-in" if settings.schemas is None else f"built-in + overlay {settings.schemas}"
    mode = "strict (drift fails)" if settings.strict else "lenient (drift allowed)"
    header = f"qase-contract {__version__}: schemas {schemas}; {mode}"
    if settings.reads_file is not None:
        header += f"; reads {settings.reads_file} (only findings that affect them fail)"
    if settings.record_file is not None:
        header += f"; recording reads into {settings.record_shown}"
    return header


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # assert_conforms reads the policy of the running test: the session's contract, this test's strictness.
    from qase_contract.testing._policy import Policy, policy_in_force

    settings = item.config.stash[_SETTINGS]
    with policy_in_force(Policy(settings.validator, settings.strict_for(item))):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    # Fail the test itself, not only its teardown, when a received delivery broke the contract.
    receiver = item.stash.get(_RECEIVER, None)
    problems = receiver.problems() if receiver is not None else None
    if problems:
        pytest.fail(problems, pytrace=False)
    return outcome


@pytest.fixture(scope="session")
def qase_validator(pytestconfig: pytest.Config) -> Validator:
    """The session's ``Validator``: built-in schemas plus ``--qase-schemas``; ``--qase-strict`` applies."""
    return pytestconfig.stash[_SETTINGS].validator()


@pytest.fixture
def qase_delivery(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config
) -> Callable[..., dict[str, Any]]:
    """A factory of fresh deliveries from the session's schemas and examples (``--qase-schemas``):
    ``qase_delivery("run.completed", payload={"passed": 3}, variant="canonical", project_code="DEMO")``.

    Overrides replace lists whole; ``payload={"steps": {0: {"action": "x"}}}`` merges into an
    item. A result that does not conform warns (:class:`QaseDeliveryWarning`), or fails the
    test under strict mode; ``check=False`` builds a non-conforming delivery on purpose.
    """
    settings = pytestconfig.stash[_SETTINGS]
    strict = settings.strict_for(request.node)

    def qase_delivery(
        event_name: str,
        payload: dict[str, Any] | None = None,
        *,
        variant: str = "canonical",
        check: bool = True,
        **envelope: Any,
    ) -> dict[str, Any]:
        __tracebackhide__ = True
        from qase_contract.testing._samples import sample_delivery

        validator = settings.validator()
        delivery = sample_delivery(
            event_name, payload, variant=variant, schemas=validator.schema_set, **envelope
        )
        if check:
            result = validator.validate(delivery).with_strict(strict)
            if not result.ok:
                from qase_contract.testing._assertions import nonconformity_report

                report = nonconformity_report(result, where=f"qase_delivery({event_name!r})") + _SAMPLE_HINT
                if strict:
                    raise AssertionError(report)
                warnings.warn(QaseDeliveryWarning(report), stacklevel=2)
        if settings.recorder is not None:
            return settings.recorder.track(delivery)  # to record what the test reads
        return delivery

    return qase_delivery


_SAMPLE_HINT = (
    "\n(overrides replace lists whole: {'steps': {0: {...}}} merges into an item; "
    "check=False builds a non-conforming delivery on purpose)"
)


@pytest.fixture(scope="session")
def qase_track(pytestconfig: pytest.Config) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``qase_track(delivery)``: under ``--qase-record-reads`` a tracked copy whose reads are
    recorded (for deliveries from elsewhere: Hypothesis, files); otherwise the delivery itself.
    Session-scoped, so Hypothesis tests can use it."""
    recorder = pytestconfig.stash[_SETTINGS].recorder
    if recorder is not None:
        return recorder.track

    def untracked(delivery: dict[str, Any]) -> dict[str, Any]:
        return delivery

    return untracked


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under --qase-record-reads: a pytest-xdist worker sends what it recorded to the
    controller, which (like a session without workers) merges everything into the file."""
    config = session.config
    settings = config.stash.get(_SETTINGS, None)
    if settings is None or settings.recorder is None or settings.record_file is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_WORKER_READS] = settings.recorder.recorded()
        return
    try:
        settings.recorded = settings.recorder.write(settings.record_file)
    except (OSError, ValueError) as error:  # the file changed or became unwritable during the run
        settings.record_error = f"qase-contract: cannot write the read-set {settings.record_shown}: {error}"
        return
    own = settings.recorder.read_set.events
    settings.read_whole = tuple(event for event, paths in own.items() if "" in paths)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: take in what a finished worker recorded."""
    settings = node.config.stash.get(_SETTINGS, None)
    recorded = getattr(node, "workeroutput", {}).get(_WORKER_READS)
    if settings is not None and settings.recorder is not None and recorded:
        settings.recorder.add(recorded)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    settings = config.stash.get(_SETTINGS, None)
    if settings is not None and settings.record_error is not None:
        terminalreporter.write_line(settings.record_error, red=True)
    if settings is None or settings.recorded is None:
        return
    events = len(settings.recorded.events)
    paths = sum(len(paths) for paths in settings.recorded.events.values())
    terminalreporter.write_line(
        f"qase-contract: read-set {settings.record_shown}: {paths} read paths of {events} events "
        "(what this session read, merged with what the file held)"
    )
    if settings.read_whole:
        terminalreporter.write_line(
            f"qase-contract: whole deliveries of {', '.join(settings.read_whole)} count as read: they were "
            "iterated or serialised (posted as JSON, say), and what reads the JSON text cannot be seen; "
            "declare the fields that code reads by hand"
        )


@pytest.fixture
def qase_receiver_secret() -> str | None:
    """The ``X-Qase-Secret`` the receiver requires; override this fixture to choose it, or return None."""
    import secrets  # here, not at the top: it loads hashlib, a noticeable share of the import cost

    return secrets.token_urlsafe(16)


@pytest.fixture(scope="session")
def qase_receiver_server() -> Iterator[HTTPServer]:
    """The loopback HTTP server behind ``qase_receiver``, shared by the session's tests."""
    from qase_contract.errors import MissingExtra

    try:
        from qase_contract.testing._receiver import LoopbackServer
    except MissingExtra as error:
        missing: str | None = str(error)  # failed outside the except block: no chained report
    else:
        missing = None
    if missing is not None:
        pytest.fail(missing, pytrace=False)

    server = LoopbackServer()
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def qase_receiver(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    qase_receiver_server: HTTPServer,
    qase_receiver_secret: str | None,
) -> Iterator[LiveReceiver]:
    """A live webhook endpoint: ``.url``, ``.secret``, ``.deliveries``, ``.wait_for(event_name, timeout)``.

    Every delivery is validated on arrival; one that breaks the contract (or drifts, when
    strict) fails the test at the end of its call, or at teardown when it arrived later.
    """
    from qase_contract.testing._receiver import LiveReceiver

    settings = pytestconfig.stash[_SETTINGS]
    receiver = LiveReceiver(
        qase_receiver_server,
        settings.validator(),
        strict=settings.strict_for(request.node),
        secret=qase_receiver_secret,
    )
    request.node.stash[_RECEIVER] = receiver
    yield receiver
    problems = receiver.problems()
    receiver.close()
    if problems:
        pytest.fail(problems, pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """With ``--qase-captures``, add one test per captured delivery (before -k/-m select)."""
    settings = config.stash[_SETTINGS]
    if not settings.captures:
        return
    from itertools import groupby

    from qase_contract.sources._paths import read_paths

    # A path given twice is collected once (dict keeps the order), and so is a file that two
    # paths reach (a folder and a file inside it).
    paths = list(dict.fromkeys(config.invocation_params.dir / path for path in settings.captures))
    seen: set[Path] = set()
    for source, deliveries in groupby(read_paths(paths), key=lambda delivery: delivery.location.source):
        path = Path(source)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        node = CaptureFile.from_parent(
            session, path=path, nodeid=_file_id(config, path), deliveries=list(deliveries)
        )
        collected: list[pytest.Item | pytest.Collector] = list(node.collect())
        # Report the file like any collected one, so "collected N items" and plugins count it.
        config.hook.pytest_collectreport(report=pytest.CollectReport(node.nodeid, "passed", None, collected))
        items.extend(item for item in collected if isinstance(item, pytest.Item))


def _file_id(config: pytest.Config, path: Path) -> str:
    try:
        return path.relative_to(config.rootpath).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, config.rootpath)).as_posix()


class CaptureFile(pytest.File):
    """A capture dump given to ``--qase-captures``; its deliveries are read before collection."""

    def __init__(self, *, deliveries: list[Delivery], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deliveries = deliveries

    def collect(self) -> Iterator[CapturedDelivery]:
        for delivery in self.deliveries:
            # The id is the delivery's location (file:line, file[index] or file) and its event.
            location = delivery.location
            within_file = str(location)[len(location.source) :]  # ":3", "[2]", ":entries[4]" or ""
            event = _event_label(delivery.body)
            yield CapturedDelivery.from_parent(
                self,
                name=f"{within_file.lstrip(':')}:{event}" if within_file else event,
                nodeid=f"{self.nodeid}{within_file}:{event}",
                delivery=delivery,
            )


def _event_label(body: object) -> str:
    """The event a captured body claims, for its test id; parsing failures are reported when it runs."""
    from qase_contract._util.printable import one_line
    from qase_contract.sources._model import ReadFailure
    from qase_contract.validation._parsing import Parsed, parse_body

    if isinstance(body, ReadFailure):
        return "unreadable"
    parsed = parse_body(body)
    if not isinstance(parsed, Parsed):
        return "unparsable"
    data = parsed.value
    named = (data.get("event_name") or data.get("event")) if isinstance(data, dict) else None
    # A test id is printed and written into JUnit: no control character from a delivery in it.
    return one_line(named) if isinstance(named, str) else "no-event"


class CapturedDelivery(pytest.Item):
    """One captured delivery, checked against the contract when the test runs."""

    def __init__(self, *, delivery: Delivery, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delivery = delivery
        self.add_marker(CAPTURE_MARKER)

    def setup(self) -> None:
        _name_in_junit(self)

    def runtest(self) -> None:
        from qase_contract.errors import CaptureCheckFailed
        from qase_contract.sources._model import ReadFailure
        from qase_contract.testing._assertions import nonconformity_report

        body = self.delivery.body
        if isinstance(body, ReadFailure):
            raise CaptureCheckFailed(f"the record could not be read: {body.reason}")
        settings = self.config.stash[_SETTINGS]
        result = settings.validator().validate(body).with_strict(settings.strict)
        self.user_properties.append(("qase_status", result.status))
        if not result.ok:
            raise CaptureCheckFailed(nonconformity_report(result))  # the header and the id say where
        handle = self.config.hook.pytest_qase_handle_capture
        if handle.get_hookimpls():
            self._hand_over(handle, body, settings)

    def _hand_over(self, handle: Any, body: object, settings: _Settings) -> None:
        """The delivery, parsed (and tracked when recording), to the consumer's hook."""
        from qase_contract.validation._parsing import Parsed, parse_body

        parsed = parse_body(body)
        if not isinstance(parsed, Parsed) or not isinstance(parsed.value, dict):
            return  # not an object: a read-set judged it harmless, and there is nothing to hand
        delivery: dict[str, Any] = parsed.value
        if settings.recorder is not None:
            delivery = settings.recorder.track(delivery)
        handle(delivery=delivery, item=self)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from qase_contract.errors import CaptureCheckFailed

        if isinstance(excinfo.value, CaptureCheckFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # The domain heads the failure report; not the bare id, which -v would rewrite ("." -> "::").
        line = self.delivery.location.line
        return self.path, None if line is None else line - 1, f"delivery {self.nodeid}"


def _name_in_junit(item: CapturedDelivery) -> None:
    """JUnit takes a test's class from the "::" parts of its id, and a capture's id
    (``file:3:event``) has none, so CI would list it with no class: give it the file as its
    class and the rest as its name, as pytest's ``record_xml_attribute`` would.

    The one private import of the plugin, on purpose: pytest has no public API that sets a
    JUnit attribute of a non-Python item (``record_xml_attribute`` is a fixture, so only test
    functions can request it, and it reads this same stash key). Guarded: if pytest moves the
    key, captures keep pytest's own JUnit names and nothing fails."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pytest moved its key: the JUnit report keeps pytest's own names
        return
    xml = item.config.stash.get(xml_key, None)
    if xml is None or item.parent is None:
        return
    reporter = xml.node_reporter(item.nodeid)
    reporter.add_attribute("classname", item.parent.nodeid.replace("/", "."))
    reporter.add_attribute("name", item.name)
