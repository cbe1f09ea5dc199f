"""The event catalogue: the one list of Qase webhook events the contract knows.

Everything else (schema lookup, examples, samples, the CLI's ``events`` command, the
meta-tests) derives from this tuple, so adding an event starts here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One catalogued event: its name, the entity it belongs to and its UI label."""

    name: str
    entity: str
    label: str
    summary: str

    @property
    def action(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def schema_path(self) -> str:
        """Path of the event's schema file, relative to the ``schemas`` folder."""
        prefix = self.name.split(".", 1)[0]
        return f"events/{prefix}/{self.action}.schema.json"


def _spec(name: str, entity: str, label: str, summary: str) -> EventSpec:
    return EventSpec(name=name, entity=entity, label=label, summary=summary)


EVENTS: tuple[EventSpec, ...] = (
    _spec(
        "case.created",
        "Test case",
        "Create test case",
        "A test case was created; the payload is the whole case.",
    ),
    _spec(
        "case.updated", "Test case", "Update test case", "A test case was edited; its id, or the whole case."
    ),
    _spec(
        "case.deleted", "Test case", "Delete test case", "A test case was deleted; its id, or the whole case."
    ),
    _spec(
        "case.cloned",
        "Test case",
        "Clone test case",
        "A test case was copied; the new id and the original's.",
    ),
    _spec("suite.created", "Test suite", "Create test suite", "A suite was created."),
    _spec("suite.updated", "Test suite", "Update test suite", "A suite was edited (id only)."),
    _spec("suite.deleted", "Test suite", "Delete test suite", "A suite was deleted (id only)."),
    _spec(
        "suite.cloned", "Test suite", "Clone test suite", "A suite was copied; the new id and the original's."
    ),
    _spec("plan.created", "Test plan", "Create test plan", "A test plan was created, with its map of cases."),
    _spec(
        "plan.updated", "Test plan", "Update test plan", "A test plan was edited; its id and map of cases."
    ),
    _spec("plan.deleted", "Test plan", "Delete test plan", "A test plan was deleted (id only)."),
    _spec(
        "shared_step.created",
        "Shared step",
        "Create shared step",
        "A shared step was created with its steps.",
    ),
    _spec(
        "shared_step.updated", "Shared step", "Update shared step", "A shared step was edited (hash only)."
    ),
    _spec(
        "shared_step.deleted", "Shared step", "Delete shared step", "A shared step was deleted (hash only)."
    ),
    _spec("milestone.created", "Milestone", "Create milestone", "A milestone was created."),
    _spec("milestone.updated", "Milestone", "Update milestone", "A milestone was edited (id only)."),
    _spec("milestone.deleted", "Milestone", "Delete milestone", "A milestone was deleted (id only)."),
    _spec("custom_field.created", "Custom field", "Create custom field", "A custom field was defined."),
    _spec(
        "custom_field.updated", "Custom field", "Update custom field", "A custom-field definition changed."
    ),
    _spec("custom_field.deleted", "Custom field", "Delete custom field", "A custom field was removed."),
    _spec("run.started", "Test run", "Test run start", "A test run was started."),
    _spec("run.aborted", "Test run", "Test run aborted", "A run was stopped early; result counts."),
    _spec("run.updated", "Test run", "Test cases added to run", "Cases were added to a run; how many."),
    _spec("run.deleted", "Test run", "Delete test run", "A test run was deleted."),
    _spec("run.completed", "Test run", "Complete test run", "A run was completed; result counts."),
    _spec(
        "run.report_changed",
        "Test run",
        "Public link turned on",
        "A run's public report was switched on or off.",
    ),
    _spec("defect.created", "Defect", "Create defect", "A defect was filed."),
    _spec("defect.updated", "Defect", "(not selectable in the UI)", "A defect was edited."),
    _spec("defect.resolved", "Defect", "Resolve defect", "A defect was marked resolved."),
    _spec("defect.deleted", "Defect", "Delete defect", "A defect was deleted."),
    _spec("review.created", "Test review", "Create test review", "A test-case review was opened."),
    _spec(
        "review.updated", "Test review", "Update test review", "The change proposed in a review was edited."
    ),
    _spec(
        "review.approval_status_changed",
        "Test review",
        "Approval status change",
        "A review's approval status changed.",
    ),
    _spec("review.reviewer_added", "Test review", "Reviewer added", "A reviewer was assigned to a review."),
    _spec("review.reviewer_removed", "Test review", "Reviewer removed", "A reviewer was taken off a review."),
    _spec("review.merged", "Test review", "Merge test review", "A review's change was merged into the case."),
    _spec("review.reopened", "Test review", "Reopen test review", "A closed review was opened again."),
    _spec("review.commented", "Test review", "Comment test review", "Someone commented on a review."),
    _spec("review.declined", "Test review", "Decline test review", "A review was declined."),
    _spec("review.deleted", "Test review", "Delete test review", "A review was deleted."),
)

EVENTS_BY_NAME: dict[str, EventSpec] = {event.name: event for event in EVENTS}
