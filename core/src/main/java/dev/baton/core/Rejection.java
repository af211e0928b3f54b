package dev.baton.core;

/**
 * Why a legal request was refused. Wire names are the error codes of the API contract: they are
 * never renamed or reused. A rejection is a value the machine returns, never an exception.
 */
public enum Rejection {
    INVALID_ARGUMENT("invalid_argument"),
    NOT_FOUND("not_found"),
    ALREADY_CLAIMED("already_claimed"),
    NOT_CLAIMABLE("not_claimable"),
    BLOCKED("blocked"),
    RESOURCE_CONFLICT("resource_conflict"),
    STALE_TOKEN("stale_token"),
    CYCLE("cycle"),
    NOT_READY("not_ready"),
    AGENT_NOT_LIVE("agent_not_live");

    private final String wireName;

    Rejection(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
