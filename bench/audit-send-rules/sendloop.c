/* N loopback UDP sends (sendto(2), one byte, to a socket of its own), each 64 read back in between;
 * prints the nanoseconds per send. The load of ab.py: see there. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(rx, (struct sockaddr *)&a, sizeof a);
    socklen_t l = sizeof a; getsockname(rx, (struct sockaddr *)&a, &l);
    int rcv = 1 << 20; setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    char b[8] = "x"; char r[64];
    struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        sendto(s, b, 1, 0, (struct sockaddr *)&a, sizeof a);
        if ((i & 63) == 63) while (recv(rx, r, sizeof r, MSG_DONTWAIT) > 0) ;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
    return 0;
}
