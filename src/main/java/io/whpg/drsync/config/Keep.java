package io.whpg.drsync.config;

/**
 * {@code storage.keep}: how many manifests and receipts to keep ({@code count}, the newest), and optionally
 * for how long ({@code days}: older ones go even within the count). Files still needed are never removed.
 */
public record Keep(int count, Integer days) {
    public static final int DEFAULT_COUNT = 500;
}
