package io.whpg.drsync.exec;

/** POSIX shell quoting: any string becomes one word that the shell takes as data, never as code. */
public final class ShellQuote {
    private ShellQuote() {
    }

    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
