package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An immutable request body built field by field: each setter returns a copy with one field
 * set, and only the fields set are sent. Two bodies are equal when they send the same JSON.
 *
 * @param <T> the concrete request type, so that {@link #with} returns it
 */
abstract class RequestBody<T extends RequestBody<T>> {
    final ObjectNode body;

    RequestBody(ObjectNode body) {
        this.body = body;
    }

    /** A new request of this type around {@code body}. */
    abstract T wrap(ObjectNode body);

    final T with(String field, JsonNode value) {
        ObjectNode copy = body.deepCopy();
        copy.set(field, value);
        return wrap(copy);
    }

    JsonNode toJson() {
        return body;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && body.equals(((RequestBody<?>) o).body);
    }

    @Override
    public final int hashCode() {
        return body.hashCode();
    }

    /** The JSON body this sends. */
    @Override
    public final String toString() {
        return body.toString();
    }
}
