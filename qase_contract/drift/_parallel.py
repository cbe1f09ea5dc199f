"""Profiling a corpus on several processes: the same profile, each event folded by one.

Folding is most of drift's work, and profiles of parts of a corpus cannot be put together
exactly (the first values kept, the caps and the first places all depend on what came
first). So every worker reads and parses the whole corpus, and folds only its share of the
events (see :class:`~qase_contract.drift._profile.CorpusProfile`'s ``share``): each event's
profile is then the one a single process makes, and the shares are merged by event. Parsing
is repeated in every worker; folding, which costs about three times as much, is divided.
Only regular files and folders are profiled so (standard input, a pipe or a FIFO gives its data
once); if the shares did not read the same records (a file that grew meanwhile), the corpus is
read again in one process. Memory stays flat in each worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from qase_contract.contract._schema_set import SchemaSet
from qase_contract.drift._profile import CorpusProfile
from qase_contract.sources._paths import read_batched
from qase_contract.validation._engines import load_schema_set
from qase_contract.validation._parallel import start_method


def profile_in_parallel(
    paths: Sequence[str], *, jobs: int, overlay: str | None, schema_set: SchemaSet, max_record: int
) -> CorpusProfile:
    """The profile :meth:`CorpusProfile.of` gives for ``read_batched(paths)``, folded on ``jobs``
    worker processes; ``overlay`` is the ``--schemas`` folder that ``schema_set`` was loaded
    with, loaded again by each worker."""
    with ProcessPoolExecutor(jobs, start_method()) as pool:
        futures = [
            pool.submit(_profile_share, tuple(paths), (index, jobs), overlay, max_record)
            for index in range(jobs)
        ]
        shares = [future.result() for future in futures]
    if not all(share.counted_alike(shares[0]) for share in shares[1:]):
        # The corpus changed while the workers read it (a capture still being written): read
        # it again in one process, as without workers.
        return CorpusProfile.of(read_batched(paths, max_record=max_record), schema_set)
    return CorpusProfile.merged(shares, schema_set)


def _profile_share(
    paths: tuple[str, ...], share: tuple[int, int], overlay: str | None, max_record: int
) -> CorpusProfile:
    """A worker's part: the whole corpus read, its share of the events folded."""
    profile = CorpusProfile(load_schema_set(overlay), share)
    for item in read_batched(paths, max_record=max_record):
        profile.add_item(item)
    profile.finish()
    return profile.without_plans()
