package io.whpg.drsync.ops.doctor;

/** One line of {@code doctor}: what was checked, whether it passed, what was seen, and how to fix a failure. */
public record Check(String name, boolean ok, String detail, String fix) {
    public static Check pass(String name, String detail) {
        return new Check(name, true, detail, "");
    }

    public static Check fail(String name, String detail, String fix) {
        return new Check(name, false, detail, fix);
    }

    public String line() {
        return (ok ? "PASS " : "FAIL ") + name + ": " + detail + (ok ? "" : " -> fix: " + fix);
    }
}
