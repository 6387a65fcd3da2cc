package io.whpg.drsync.state;

/** A manifest that must not be applied; the message is one line naming the file and the field. */
public class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }
}
