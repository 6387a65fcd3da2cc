package io.whpg.drsync.dr;

/** Ends a cycle without advancing: {@code status} goes into the receipt, the message is its one-line detail. */
public class CycleFailure extends RuntimeException {
    private final String status;

    public CycleFailure(String status, String detail) {
        super(detail);
        this.status = status;
    }

    public String status() {
        return status;
    }
}
