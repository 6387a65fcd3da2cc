package io.whpg.drsync.config;

import java.util.List;

/** The whole configuration file: one file drives both the primary (publisher) and the DR (consumer) role. */
public record DrSyncConfig(Primary primary, Storage storage, Archive archive, Dr dr, Ssh ssh, Behavior behavior,
        List<String> warnings) {
    public DrSyncConfig {
        warnings = List.copyOf(warnings);
    }
}
