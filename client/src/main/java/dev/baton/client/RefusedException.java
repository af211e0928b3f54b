package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster answered and refused the request (a 4xx status): nothing changed, and sending
 * the same request again gets the same answer, so do not retry it. {@link #code()} is the
 * contract's error code; {@link #details()} holds the whole error object, whose extra fields
 * depend on the code ({@code owner} for {@code already_claimed}, {@code blockedBy} for
 * {@code blocked}, and so on). 404s are {@link NotFoundException}s and 409s
 * {@link ConflictException}s.
 */
public class RefusedException extends BatonException {
    public static final String INVALID_ARGUMENT = "invalid_argument";
    public static final String UNAUTHENTICATED = "unauthenticated";
    public static final String FORBIDDEN = "forbidden";
    public static final String NOT_FOUND = "not_found";
    public static final String ALREADY_CLAIMED = "already_claimed";
    public static final String NOT_CLAIMABLE = "not_claimable";
    public static final String BLOCKED = "blocked";
    public static final String RESOURCE_CONFLICT = "resource_conflict";
    public static final String STALE_TOKEN = "stale_token";
    public static final String CYCLE = "cycle";
    public static final String NOT_READY = "not_ready";
    public static final String AGENT_NOT_LIVE = "agent_not_live";
    public static final String TOO_LARGE = "too_large";

    private final int status;
    private final String code;
    private final JsonNode details;

    public RefusedException(int status, String code, String message, JsonNode details) {
        super(status + " " + code + ": " + message);
        this.status = status;
        this.code = code;
        this.details = details == null ? JsonNodeFactory.instance.objectNode() : details;
    }

    /** The HTTP status, 400 to 499. */
    public int status() {
        return status;
    }

    /** The contract's error code, such as {@code already_claimed}. */
    public String code() {
        return code;
    }

    /** The error object as the server sent it: code, message and the code's details. */
    public JsonNode details() {
        return details;
    }

    /** For {@code already_claimed}: the agent holding the task; otherwise null. */
    public String owner() {
        return details.path("owner").asText(null);
    }

    /** For {@code not_claimable}: the task's status; otherwise null. */
    public String taskStatus() {
        return details.path("status").asText(null);
    }

    /** For {@code blocked}: the unfinished blockers; otherwise empty. */
    public List<Long> blockedBy() {
        return ids("blockedBy");
    }

    /** For {@code resource_conflict}: the in-progress tasks in the way; otherwise empty. */
    public List<Long> conflicts() {
        return ids("conflicts");
    }

    private List<Long> ids(String field) {
        List<Long> ids = new ArrayList<>();
        details.path(field).forEach(n -> ids.add(n.asLong()));
        return List.copyOf(ids);
    }
}
