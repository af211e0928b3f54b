package dev.baton.server.http;

import dev.baton.core.Rejection;

/** The HTTP status of each rejection code, as the API contract lists them. */
final class Statuses {
    private Statuses() {
    }

    static int of(Rejection code) {
        switch (code) {
            case INVALID_ARGUMENT:
                return 400;
            case NOT_FOUND:
                return 404;
            case ALREADY_CLAIMED:
            case NOT_CLAIMABLE:
            case BLOCKED:
            case RESOURCE_CONFLICT:
            case STALE_TOKEN:
            case CYCLE:
            case NOT_READY:
            case AGENT_NOT_LIVE:
                return 409;
            default:
                throw new AssertionError("no status for " + code);
        }
    }
}
