package dev.baton.client;

import java.time.Instant;

/** The owner's last progress report on a task; {@code note} and {@code percent} may be null. */
public record Progress(String note, Integer percent, Instant at) {
}
