"""The event catalogue: the one list of Qase webhook events the contract knows.

It names each event's schema file and UI label. Dispatch itself follows the schemas (each
pins its ``event_name`` with ``const``, so overlays can add events); the meta-tests keep the
two equal for the built-in set.
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


EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "case.created",
        "Test case",
        "Create test case",
        "A test case was created; the payload is the whole case.",
    ),
    EventSpec(
        "case.updated", "Test case", "Update test case", "A test case was edited; its id, or the whole case."
    ),
    EventSpec(
        "case.deleted", "Test case", "Delete test case", "A test case was deleted; its id, or the whole case."
    ),
    EventSpec(
        "case.cloned",
        "Test case",
        "Clone test case",
        "A test case was copied; the new id and the original's.",
    ),
    EventSpec("suite.created", "Test suite", "Create test suite", "A suite was created."),
    EventSpec("suite.updated", "Test suite", "Update test suite", "A suite was edited (id only)."),
    EventSpec("suite.deleted", "Test suite", "Delete test suite", "A suite was deleted (id only)."),
    EventSpec(
        "suite.cloned", "Test suite", "Clone test suite", "A suite was copied; the new id and the original's."
    ),
    EventSpec(
        "plan.created", "Test plan", "Create test plan", "A test plan was created, with its map of cases."
    ),
    EventSpec(
        "plan.updated", "Test plan", "Update test plan", "A test plan was edited; its id and map of cases."
    ),
    EventSpec("plan.deleted", "Test plan", "Delete test plan", "A test plan was deleted (id only)."),
    EventSpec(
        "shared_step.created",
        "Shared step",
        "Create shared step",
        "A shared step was created with its steps.",
    ),
    EventSpec(
        "shared_step.updated", "Shared step", "Update shared step", "A shared step was edited (hash only)."
    ),
    EventSpec(
        "shared_step.deleted", "Shared step", "Delete shared step", "A shared step was deleted (hash only)."
    ),
    EventSpec("milestone.created", "Milestone", "Create milestone", "A milestone was created."),
    EventSpec("milestone.updated", "Milestone", "Update milestone", "A milestone was edited (id only)."),
    EventSpec("milestone.deleted", "Milestone", "Delete milestone", "A milestone was deleted (id only)."),
    EventSpec("custom_field.created", "Custom field", "Create custom field", "A custom field was defined."),
    EventSpec(
        "custom_field.updated", "Custom field", "Update custom field", "A custom-field definition changed."
    ),
    EventSpec("custom_field.deleted", "Custom field", "Delete custom field", "A custom field was removed."),
    EventSpec("run.started", "Test run", "Test run start", "A test run was started."),
    EventSpec("run.aborted", "Test run", "Test run aborted", "A run was stopped early; result counts."),
    EventSpec("run.updated", "Test run", "Test cases added to run", "Cases were added to a run; how many."),
    EventSpec("run.deleted", "Test run", "Delete test run", "A test run was deleted."),
    EventSpec("run.completed", "Test run", "Complete test run", "A run was completed; result counts."),
    EventSpec(
        "run.report_changed",
        "Test run",
        "Public link turned on",
        "A run's public report was switched on or off.",
    ),
    EventSpec("defect.created", "Defect", "Create defect", "A defect was filed."),
    EventSpec("defect.updated", "Defect", "(not selectable in the UI)", "A defect was edited."),
    EventSpec("defect.resolved", "Defect", "Resolve defect", "A defect was marked resolved."),
    EventSpec("defect.deleted", "Defect", "Delete defect", "A defect was deleted."),
    EventSpec("review.created", "Test review", "Create test review", "A test-case review was opened."),
    EventSpec(
        "review.updated", "Test review", "Update test review", "The change proposed in a review was edited."
    ),
    EventSpec(
        "review.approval_status_changed",
        "Test review",
        "Approval status change",
        "A review's approval status changed.",
    ),
    EventSpec(
        "review.reviewer_added", "Test review", "Reviewer added", "A reviewer was assigned to a review."
    ),
    EventSpec(
        "review.reviewer_removed", "Test review", "Reviewer removed", "A reviewer was taken off a review."
    ),
    EventSpec(
        "review.merged", "Test review", "Merge test review", "A review's change was merged into the case."
    ),
    EventSpec("review.reopened", "Test review", "Reopen test review", "A closed review was opened again."),
    EventSpec("review.commented", "Test review", "Comment test review", "Someone commented on a review."),
    EventSpec("review.declined", "Test review", "Decline test review", "A review was declined."),
    EventSpec("review.deleted", "Test review", "Delete test review", "A review was deleted."),
)

EVENTS_BY_NAME: dict[str, EventSpec] = {event.name: event for event in EVENTS}
