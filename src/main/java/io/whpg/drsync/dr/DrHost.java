package io.whpg.drsync.dr;

/**
 * Where a DR instance's commands run: the local machine (as {@code user} when we are root), or a
 * remote host reached over SSH as {@code user}. Instances with equal DrHost share one shell per cycle.
 */
public record DrHost(boolean local, String host, int sshPort, String user) {

    public String describe() {
        return local ? "local" + (user == null ? "" : "(" + user + ")") : user + "@" + host + ":" + sshPort;
    }
}
