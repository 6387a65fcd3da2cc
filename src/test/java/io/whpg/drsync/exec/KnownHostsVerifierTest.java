package io.whpg.drsync.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

class KnownHostsVerifierTest {
    private static final String MINA_ORDER = "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ssh-ed25519,rsa-sha2-512,"
            + "rsa-sha2-256,ssh-rsa";

    @Test
    void asksFirstForTheKeyTypesKnownHostsHolds() {
        assertEquals("ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,rsa-sha2-512,rsa-sha2-256,ssh-rsa",
                KnownHostsVerifier.knownTypesFirst(MINA_ORDER, Set.of("ssh-ed25519")));
        assertEquals("rsa-sha2-512,rsa-sha2-256,ssh-rsa,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ssh-ed25519",
                KnownHostsVerifier.knownTypesFirst(MINA_ORDER, Set.of("ssh-rsa")));
    }

    @Test
    void leavesTheOrderAloneWhenNothingIsKnown() {
        assertEquals(MINA_ORDER, KnownHostsVerifier.knownTypesFirst(MINA_ORDER, Set.of()));
    }
}
