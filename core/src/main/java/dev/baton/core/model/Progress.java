package dev.baton.core.model;

/** The owner's last progress report: a note, an optional percentage, and when it was made. */
public record Progress(String note, Integer percent, long atMs) {
}
