package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.attest.RuntimeTrace;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.SigningEnvironment;
import io.cellos.telemetry.wire.ExitCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code cellos events attest}: an in-toto runtime trace of one cell's events, signed in a DSSE envelope. */
final class EventsAttestCommand implements Command {
    private final Map<String, String> env;

    EventsAttestCommand() {
        this(System.getenv());
    }

    /** @param env where the signing key is read from */
    EventsAttestCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String name() {
        return "events attest";
    }

    @Override
    public String summary() {
        return "make a signed in-toto runtime trace (DSSE) of one cell's events";
    }

    @Override
    public String help() {
        return """
                Usage: cellos events attest [EVENTS.jsonl] [--cell ID] [--subject S]... [--invocation URI]
                                            [--out FILE]

                Reads one cell's CloudEvents (the event log of 'cell run' or 'host listen', one JSON
                object per line) from EVENTS.jsonl or standard input and writes an in-toto
                Statement v1 with the Runtime Trace v0.2 predicate
                (https://in-toto.io/attestation/runtime-trace/v0.2) in a DSSE envelope
                (payloadType application/vnd.in-toto+json), signed with the host's Ed25519 key:
                every process (program, path, command line where known, pid, parent, exit status),
                every connection (ip, port, hostname where known, the invoking process; protocol
                tcp, udp or unix as the agent said it (under eBPF), else unix for a UNIX-domain
                socket and unknown for an IP peer), every declared file touched (with the sha256 of its content now), and
                as extension fields raw sockets, denials, tamper events and drops (a trace that lost
                events says how many). 'cellos events verify' checks the envelope.

                Options:
                  --cell ID          the cell to attest, when the log holds several
                  --subject S        a subject of the statement (repeatable): NAME=sha256:HEX, or a
                                     FILE, hashed now. Default: the declared files touched
                  --invocation URI   the monitored run's id, e.g. the CI run's URI (SLSA's
                                     invocationId); default urn:cellos:run:<run_id>
                  --out FILE         where the envelope goes (default standard output)
                The key comes from the environment, as for 'cellos host listen':
                  $%s=ed25519, $%s, $%s.

                Exit status: 0 written, 1 the events cannot be attested (no subject), 2 bad usage or
                key, an input that is not JSON lines, no event of the cell, or several cells and no
                --cell.
                """.formatted(SigningEnvironment.ALG, SigningEnvironment.KID, SigningEnvironment.ED25519_KEY);
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("cell", "subject", "invocation", "out"), Set.of());
        EventSigner signer = signer(env);
        List<RuntimeTrace.Subject> subjects = new ArrayList<>();
        for (String s : a.values("subject")) {
            RuntimeTrace.Subject parsed = RuntimeTrace.parseSubject(s);
            if (parsed == null) {
                Path file = PathArgs.fileToRead(a, "--subject", s);
                String digest = Attestations.sha256(file);
                if (digest == null) {
                    throw a.usage("--subject " + s + ": the file cannot be read");
                }
                parsed = new RuntimeTrace.Subject(s, digest);
            }
            subjects.add(parsed);
        }
        EventLogInput input = EventLogInput.read(a, io);
        String cell = input.choose(a, "cell", "cell_id");
        List<JsonNode> events = input.events();
        Attestations.Made made;
        try {
            made = Attestations.make(events, cell, subjects, a.value("invocation"), signer);
        } catch (IllegalArgumentException e) {
            io.err().println("cellos events attest: " + e.getMessage());
            return ExitCode.FAILED;
        }
        if (a.value("out") != null) {
            Files.writeString(PathArgs.absolute(a.value("out")), made.envelope() + "\n");
        } else {
            io.out().println(made.envelope());
        }
        io.err().println("attested cell " + cell + ": " + made.describe());
        return ExitCode.OK;
    }

    private static EventSigner signer(Map<String, String> env) throws UsageException {
        return Attestations.signer(EnvironmentSigner.of(env));
    }
}
