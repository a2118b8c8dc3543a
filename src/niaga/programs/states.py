"""Where an application may go from where it is: the one table every transition is checked by."""

from niaga.programs.models import ApplicationState as S

TERMINAL = frozenset({S.REJECTED, S.WITHDRAWN})

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOMINATED: frozenset({S.SCREENED, S.REJECTED, S.WITHDRAWN}),
    S.APPLIED: frozenset({S.SCREENED, S.REJECTED, S.WITHDRAWN}),
    S.SCREENED: frozenset({S.ASSESSED, S.REJECTED, S.WITHDRAWN}),
    # A business that finished mentoring before it applied may go straight to ready.
    S.ASSESSED: frozenset({S.MENTORING, S.READY, S.REJECTED, S.WITHDRAWN}),
    S.MENTORING: frozenset({S.READY, S.REJECTED, S.WITHDRAWN}),
    S.READY: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.ONBOARDED, S.WITHDRAWN}),
    S.ONBOARDED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.WITHDRAWN}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# Leaving for these needs a reason a person can read later.
NEEDS_REASON = frozenset({S.REJECTED, S.WITHDRAWN})

# Places in the cohort already taken.
IN_COHORT = frozenset({S.APPROVED, S.ONBOARDED, S.ACTIVE})

# Still moving through selection: what the queue and the shortlist work on.
IN_SELECTION = frozenset({S.NOMINATED, S.APPLIED, S.SCREENED, S.ASSESSED, S.MENTORING, S.READY})


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def next_states(state: str) -> frozenset[str]:
    return TRANSITIONS.get(state, frozenset())


# A business may fill its own questionnaire until officers take over the assessment.
SELF_ASSESSABLE = frozenset({S.NOMINATED, S.APPLIED, S.SCREENED})
