package io.whpg.drsync.primary;

/**
 * The one line a user reads for a failed step: the root cause of an exception chain, without the wrappers
 * around it (Camel's "Multicast processing failed for number N", "Exception occurred during execution on
 * the exchange", a PSQLException's advice around a refused connection).
 */
public final class FailureText {
    private FailureText() {
    }

    /** The first throwable of type {@code type} in the cause chain, or null. */
    public static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = next(c)) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The deepest message of the chain, first line only: "Connection refused", "FATAL: role "x" does not exist". */
    public static String rootCause(Throwable t) {
        String message = null;
        for (Throwable c = t; c != null; c = next(c)) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                message = c.getMessage();
            } else if (message == null) {
                message = c.getClass().getSimpleName();
            }
        }
        if (message == null) {
            return "unknown failure";
        }
        return message.strip().lines().findFirst().orElse("").strip();
    }

    /**
     * The message a user reads: the first one in the chain that is not Camel's own wrapper ("Exception occurred during
     * execution on the exchange"), first line only; the root cause when every message is a wrapper's. Keeps a message
     * that names the thing ("archive directory of segment -1 does not exist: DIR") over a bare root (just "DIR").
     */
    public static String userMessage(Throwable t) {
        for (Throwable c = t; c != null; c = next(c)) {
            if (!c.getClass().getName().startsWith("org.apache.camel.") && c.getMessage() != null
                    && !c.getMessage().isBlank()) {
                return c.getMessage().strip().lines().findFirst().orElse("").strip();
            }
        }
        return rootCause(t);
    }

    private static Throwable next(Throwable t) {
        Throwable c = t.getCause();
        return c == t ? null : c;
    }
}
