package io.whpg.drsync.cli;

/** Entry point of the runnable jar; the command tree is built in the cli package. */
public final class WhpgDrSync {
    private WhpgDrSync() {
    }

    public static void main(String[] args) {
        System.out.println("whpg_dr_sync: commands not wired yet");
    }
}
