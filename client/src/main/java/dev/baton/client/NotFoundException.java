package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;

/** 404: no such task (or agent session, or endpoint). Do not retry. */
public class NotFoundException extends RefusedException {
    public NotFoundException(String code, String message, JsonNode details) {
        super(404, code, message, details);
    }
}
