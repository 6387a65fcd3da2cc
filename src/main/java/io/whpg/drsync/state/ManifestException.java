package io.whpg.drsync.state;

/**
 * A manifest that must not be applied; the message is one line naming the file and the field, the status
 * the consumer reports for it ({@code manifest_invalid}, or why its origin is not proven).
 */
public class ManifestException extends Exception {
    public static final String INVALID = "manifest_invalid";
    private final String status;

    public ManifestException(String message) {
        this(INVALID, message);
    }

    public ManifestException(String status, String message) {
        super(message);
        this.status = status;
    }

    public String status() {
        return status;
    }
}
