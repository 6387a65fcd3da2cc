package io.whpg.drsync.exec;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Accepts a server only if an OpenSSH known_hosts file vouches for its key ({@code [host]:port}
 * entries, hashed hosts, ecdsa/ed25519/rsa); everything else is refused and the reason kept for
 * a one-line error, since MINA itself only reports "Server key did not validate".
 * <p>
 * It also asks the server first for the key types known_hosts holds for it, as OpenSSH does:
 * MINA prefers ECDSA, so a host whose ed25519 key alone is listed would otherwise be refused.
 */
final class KnownHostsVerifier extends KnownHostsServerKeyVerifier implements SessionListener {
    /** The host and port the tool dialled, handed to the session as its connection context. */
    static final AttributeKey<SshdSocketAddress> TARGET = new AttributeKey<>();

    private final Path file;
    private final Map<ClientSession, String> refusals = new ConcurrentHashMap<>();

    KnownHostsVerifier(Path file) {
        super(RejectAllServerKeyVerifier.INSTANCE, file);
        this.file = file;
    }

    static AttributeRepository target(String host, int port) {
        return AttributeRepository.ofKeyValuePair(TARGET, new SshdSocketAddress(host, port));
    }

    /** Why the server's key was refused on this session, e.g. "does not match ... (offered ...)"; null if it was not. */
    String refusal(ClientSession session) {
        return refusals.remove(session);
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
        refusals.put(session, "is not in " + file + " (offered " + describe(key) + ")");
        return false;
    }

    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
                                           PublicKey expected, PublicKey actual) {
        refusals.put(session, "does not match " + file + " (offered " + describe(actual) + ", known "
                + describe(expected) + ")");
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey key) {
        refusals.put(session, "is marked @revoked in " + file + " (offered " + describe(key) + ")");
    }

    @Override
    protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remote, PublicKey key,
                                               Throwable reason) {
        refusals.put(session, "cannot be checked: " + file + " is unreadable (" + reason.getMessage() + ")");
        return false;
    }

    @Override
    public void sessionNegotiationOptionsCreated(Session session, Map<KexProposalOption, String> proposal) {
        if (!(session instanceof ClientSession client) || client.getConnectionContext() == null) {
            return;
        }
        SshdSocketAddress target = client.getConnectionContext().getAttribute(TARGET);
        if (target != null) {
            proposal.put(KexProposalOption.SERVERKEYS,
                    knownTypesFirst(proposal.get(KexProposalOption.SERVERKEYS), knownKeyTypes(target)));
        }
    }

    /** Reorders a comma-separated host-key algorithm list so the algorithms of {@code knownTypes} lead. */
    static String knownTypesFirst(String algorithms, Set<String> knownTypes) {
        List<String> known = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String algorithm : algorithms.split(",")) {
            (knownTypes.contains(KeyUtils.getCanonicalKeyType(algorithm)) ? known : others).add(algorithm);
        }
        known.addAll(others);
        return String.join(",", known);
    }

    private Set<String> knownKeyTypes(SshdSocketAddress target) {
        try {
            return KnownHostEntry.readKnownHostEntries(file).stream()
                    .filter(e -> e.getMarker() == null && e.isHostMatch(target.getHostName(), target.getPort()))
                    .map(e -> KeyUtils.getCanonicalKeyType(e.getKeyEntry().getKeyType()))
                    .collect(Collectors.toSet());
        } catch (IOException | RuntimeException e) {
            return Set.of(); // the verifier itself reports an unreadable file
        }
    }

    static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }
}
