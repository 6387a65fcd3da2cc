package io.whpg.drsync.sandbox;

import java.util.List;

/**
 * One DR host of an SSH sandbox: the private sshd on {@code address:port} (process {@code pid}, running as
 * the service user) and the content ids of the DR copies the tool reaches through it.
 */
public record SandboxSshHost(String address, int port, long pid, List<Integer> drContentIds) {
    public SandboxSshHost {
        drContentIds = List.copyOf(drContentIds);
    }

    SandboxSshHost withPid(long newPid) {
        return new SandboxSshHost(address, port, newPid, drContentIds);
    }
}
