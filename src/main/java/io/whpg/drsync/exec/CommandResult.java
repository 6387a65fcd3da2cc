package io.whpg.drsync.exec;

/** What one finished command left behind: its exit status and both output streams. */
public record CommandResult(int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** The first non-blank line of stderr, else of stdout: what a one-line error should quote. */
    public String firstErrorLine() {
        for (String text : new String[] {stderr, stdout}) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
        }
        return "exit status " + exitCode;
    }
}
