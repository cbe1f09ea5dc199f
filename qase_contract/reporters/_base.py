"""What every reporter shares: the options it renders with and the interface the CLI drives."""

from pathlib import Path
from typing import IO, Literal, NamedTuple, Protocol

from qase_contract.findings import Finding
from qase_contract.validation._batch import Outcome, Tally


class ReportOptions(NamedTuple):  # not a dataclass: see tests/cli/test_start_up.py
    """How much to show: ``verbose`` details, ``quiet`` failures only, ``everything`` lists
    conforming deliveries too; ``colour`` for terminals; ``strict`` makes drift fail;
    ``reads`` names the consumer's read-set file when one judged the findings."""

    verbose: int = 0
    quiet: bool = False
    everything: bool = False
    colour: bool = False
    strict: bool = False
    reads: str | None = None


class Reporter(Protocol):
    """Renders outcomes to the stream it was given; it never decides the exit code.

    ``lists_conforming`` says whether it renders conforming deliveries at all; when it does
    not, the caller skips the call for them (most of a corpus).
    """

    lists_conforming: bool

    def outcome(self, outcome: Outcome) -> None: ...

    def finish(self, tally: Tally) -> None: ...

    def fatal(self, message: str) -> None:
        """A run that could not happen (a bad option or overlay), in the chosen format."""


def fails(outcome: Outcome, options: ReportOptions) -> bool:
    """Whether this outcome fails the run under the options (drift fails only when strict;
    with a read-set, only a finding that affects the consumer fails)."""
    if options.reads is not None:
        return any(affects(finding, options) for finding in outcome.findings)
    if outcome.status in ("violation", "unreadable"):
        return True
    return options.strict and outcome.status == "drift"


def severity(finding: Finding, options: ReportOptions) -> Literal["error", "warning", "note"]:
    """``error`` for a finding that fails the run (a violation, or drift under --strict); with a
    read-set, ``error`` for a finding that affects the consumer and ``note`` for the others."""
    if options.reads is not None:
        return "error" if affects(finding, options) else "note"
    return "error" if finding.kind == "violation" or options.strict else "warning"


def affects(finding: Finding, options: ReportOptions) -> bool | None:
    """Whether the finding affects the consumer; None without a read-set. A finding no read-set
    could judge (an unreadable record: nothing is known of what it holds) affects."""
    if options.reads is None:
        return None
    return True if finding.affects is None else finding.affects


def reads_note(finding: Finding, options: ReportOptions) -> str:
    """What the read-set says of a finding, for people: ``affects read /payload/id``,
    ``not read``; empty without a read-set."""
    affecting = affects(finding, options)
    return "" if affecting is None else reads_words(finding.read_path, affecting)


def reads_words(read_path: str | None, affecting: bool) -> str:
    """A judged finding's relation to the read-set, in the words every report uses."""
    if read_path is None:
        return "affects" if affecting else "not read"
    if affecting:
        return f"affects read {read_path or '/'}"
    return f"read {read_path or '/'}, drift allowed"


def relative_path(source: str) -> str:
    """A location's file as CI tools want it: relative to the working folder (the checkout)
    when it lies inside it, as given otherwise."""
    path = Path(source)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return source
    return path.as_posix()


def listed(outcome: Outcome, options: ReportOptions) -> bool:
    """Whether a per-delivery format lists this outcome."""
    if options.everything:
        return True
    if options.quiet:
        return fails(outcome, options)
    return outcome.status != "conforming"


class Spool:
    """Text that must be written after a header computed at the end (counts in JUnit, the
    summary first in JSON): kept in memory while small, on disk past a few megabytes."""

    def __init__(self) -> None:
        self._file: IO[str] | None = None

    @property
    def empty(self) -> bool:
        return self._file is None

    def write(self, text: str) -> None:
        if self._file is None:
            # Closed by copy_to, which every reporter calls at the end when anything was written.
            import tempfile  # only a long report is spooled

            self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115
                max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8"
            )
        self._file.write(text)

    def copy_to(self, stream: IO[str]) -> None:
        if self._file is None:
            return
        self._file.seek(0)
        import shutil

        shutil.copyfileobj(self._file, stream)
        self._file.close()
        self._file = None
