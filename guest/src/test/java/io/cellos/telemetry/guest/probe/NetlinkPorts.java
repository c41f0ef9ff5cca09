package io.cellos.telemetry.guest.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

/**
 * The netlink port ids of this process's sockets — where another process sends to forge a
 * datagram — from {@code /proc/net/netlink}, joined to the fds' socket inodes.
 */
public final class NetlinkPorts {
    private NetlinkPorts() {
    }

    /** The ports of this process's netlink sockets of {@code protocol} whose fd {@code fds} accepts. */
    public static List<String> ofThisProcess(int protocol, IntPredicate fds) throws IOException {
        Set<String> inodes;
        try (var listed = Files.list(Path.of("/proc/self/fd"))) {
            inodes = listed.filter(fd -> fds.test(Integer.parseInt(fd.getFileName().toString()))).map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    return "";
                }
            }).filter(l -> l.startsWith("socket:[")).map(l -> l.replaceAll("\\D", "")).collect(Collectors.toSet());
        }
        return Files.readAllLines(Path.of("/proc/net/netlink")).stream().skip(1).map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length > 9 && f[1].equals(Integer.toString(protocol)) && inodes.contains(f[9]))
                .map(f -> f[2]).toList();
    }
}
