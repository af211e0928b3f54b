package dev.baton.server.http;

import java.util.Map;

/** A request that gets an error answer without reaching the log: bad input, a missing route. */
final class ApiException extends RuntimeException {
    final int status;
    final String code;
    final Map<String, Object> details;

    ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "invalid_argument", message, Map.of());
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message, Map.of());
    }
}
