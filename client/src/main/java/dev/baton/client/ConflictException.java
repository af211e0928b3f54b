package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * 409: the request is valid but the task's state refuses it, for example
 * {@code already_claimed}, {@code blocked} or {@code stale_token}. Retrying the same request
 * gets the same answer until the state changes, so do not retry it blindly.
 */
public class ConflictException extends RefusedException {
    public ConflictException(String code, String message, JsonNode details) {
        super(409, code, message, details);
    }
}
