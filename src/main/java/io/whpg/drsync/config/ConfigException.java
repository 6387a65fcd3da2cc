package io.whpg.drsync.config;

/** A configuration the tool refuses; the message is one line naming the JSON path and the offending value. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
