/*
 * openloop: an open-loop HTTP/1.1 load generator that measures latency without coordinated omission.
 *
 *   openloop -c CONNS -R RATE -d SECONDS [-w WARMUP_SECONDS] [-H 'Name: value']... [-p PATHS_FILE] URL
 *
 * Request i is intended to be sent at t0 + i/RATE. A due request goes to a free keep-alive connection; when
 * none is free it waits in a FIFO. Its latency counts from its intended time (not from when it was written),
 * so a slow answer that holds up later requests is charged to them too, as wrk2 does. Requests intended in
 * the first WARMUP seconds are sent on the same schedule but not recorded. After the schedule ends, requests
 * still queued or in flight get a grace of 10 s; those left then count as timeouts.
 *
 * Prints one JSON line on stdout: counts of measured requests (sent, completed, non2xx, socket_errors, timeouts;
 * reconnects), achieved_rps, latency percentiles (nearest rank over every measured latency, in ms), and
 * max_late_ms: the worst delay of this program itself in sending a due request while a connection was free
 * (a large value means the machine, not the server, held the run up: read its latencies with care).
 * Timed-out and failed requests have no latency; they are counted.
 *
 * Built by bench/_loadgen.py: gcc -O2 -Wall -Wextra -o openloop openloop.c -lm
 * Linux only (epoll, timerfd); no dependencies beyond libc and libm.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define GRACE_NS (10LL * 1000000000LL)
#define CONNECT_WAIT_NS (5LL * 1000000000LL)
#define RETRY_NS (20LL * 1000000LL)
#define MAX_HEADER_BYTES (64 * 1024)
#define READ_BUF (64 * 1024)
#define NO_REQUEST UINT64_MAX

enum conn_state { C_CLOSED, C_CONNECTING, C_IDLE, C_BUSY };
enum parse_state { P_HEAD, P_BODY_LEN, P_BODY_EOF, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_END, P_TRAILER };

struct conn {
    int fd;
    enum conn_state state;
    int64_t retry_at;      /* when C_CLOSED: time of the next connect attempt */
    uint64_t req;          /* index of the request in flight, NO_REQUEST if none */
    const char *out;       /* request bytes still to write */
    size_t out_len;
    int want_out;          /* EPOLLOUT registered */
    enum parse_state ps;
    char *head;            /* status line and headers of the response being read */
    size_t head_len, head_cap;
    uint64_t remaining;    /* body or chunk bytes still to read */
    char line[40];         /* start of the current chunk-size line */
    size_t line_len;       /* full length of the current line so far */
    int status;
    int close_after;       /* the server asked to close after this response */
    int in_ring;           /* has an entry in the idle ring (possibly stale) */
};

/* ---- options and schedule ---- */
static int n_conns;
static double rate;
static double duration_s, warmup_s;
static char **requests;    /* one prepared request per path */
static size_t *request_lens;
static size_t n_requests;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static int64_t t0;
static uint64_t total;     /* requests in the whole schedule (warm-up and measured) */
static uint64_t first_measured;
static uint64_t dispatched; /* requests handed to a connection; the FIFO is [dispatched, due) */

/* ---- connections ---- */
static struct conn *conns;
static int *idle;          /* ring of idle connections, oldest first: requests rotate over all of them */
static int idle_head, idle_len; /* ring entries, some stale (their connection was closed meanwhile) */
static int n_idle;         /* connections really idle */
static int n_connected;
static int n_closed;       /* connections waiting to be reopened */
static int epfd, tfd;
static int64_t timer_armed = -1;
static uint64_t in_flight;
static int measuring;

/* ---- results (measured requests only) ---- */
static uint64_t *lat_us;
static size_t n_lat, lat_cap;
static uint64_t sent, completed, non2xx, socket_errors, reconnects, timeouts;
static int64_t last_done;
static int64_t max_late;   /* worst delay of this program in sending a due request it had a connection for */

static void usage(void) {
    fprintf(stderr,
            "usage: openloop -c CONNS -R RATE -d SECONDS [-w WARMUP_SECONDS] [-H 'Name: value']... "
            "[-p PATHS_FILE] http://HOST:PORT[/path]\n"
            "  open-loop HTTP/1.1 GET load at a fixed offered RATE (requests/s) over CONNS keep-alive\n"
            "  connections; latency from each request's intended send time; one JSON line on stdout.\n");
    exit(2);
}

static void bad(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("openloop: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage();
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) {
        fputs("openloop: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t intended(uint64_t i) { return t0 + (int64_t)((double)i * 1e9 / rate); }

static double parse_number(const char *s, const char *what) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) bad("%s must be a number, got '%s'", what, s);
    return v;
}

/* ---- requests ---- */

static char *build_request(const char *path, const char *hostport, char **headers, int n_headers) {
    int has_host = 0;
    size_t n = strlen(path) + strlen(hostport) + 64;
    for (int i = 0; i < n_headers; i++) {
        n += strlen(headers[i]) + 2;
        if (strncasecmp(headers[i], "host:", 5) == 0) has_host = 1;
    }
    char *r = xmalloc(n);
    size_t len = (size_t)sprintf(r, "GET %s HTTP/1.1\r\n", path);
    if (!has_host) len += (size_t)sprintf(r + len, "Host: %s\r\n", hostport);
    for (int i = 0; i < n_headers; i++) len += (size_t)sprintf(r + len, "%s\r\n", headers[i]);
    memcpy(r + len, "\r\n", 3);
    return r;
}

static int valid_path(const char *p) {
    if (p[0] != '/') return 0;
    for (; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) return 0;
    return 1;
}

static void add_request(const char *path, const char *hostport, char **headers, int n_headers) {
    if (!valid_path(path)) bad("a path must start with '/' and hold no spaces or control characters: '%s'", path);
    requests = realloc(requests, (n_requests + 1) * sizeof *requests);
    request_lens = realloc(request_lens, (n_requests + 1) * sizeof *request_lens);
    if (!requests || !request_lens) bad("out of memory");
    requests[n_requests] = build_request(path, hostport, headers, n_headers);
    request_lens[n_requests] = strlen(requests[n_requests]);
    n_requests++;
}

/* ---- results ---- */

static void record(uint64_t req, int64_t done) {
    if (req < first_measured) return;
    completed++;
    last_done = done;
    int64_t lat = done - intended(req);
    if (lat < 0) lat = 0;
    if (n_lat == lat_cap) {
        lat_cap = lat_cap ? lat_cap * 2 : 65536;
        lat_us = realloc(lat_us, lat_cap * sizeof *lat_us);
        if (!lat_us) {
            fputs("openloop: out of memory\n", stderr);
            exit(1);
        }
    }
    lat_us[n_lat++] = (uint64_t)((lat + 500) / 1000);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile, in ms */
static double pct(double p) {
    if (!n_lat) return 0;
    size_t rank = (size_t)ceil(p / 100.0 * (double)n_lat);
    if (rank < 1) rank = 1;
    if (rank > n_lat) rank = n_lat;
    return (double)lat_us[rank - 1] / 1000.0;
}

/* ---- connections ---- */

static void set_events(struct conn *c, int want_out) {
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.u32 = (uint32_t)(c - conns)};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->want_out = want_out;
}

static void open_conn(struct conn *c, int64_t now) {
    n_closed--;
    c->req = NO_REQUEST;
    c->out_len = 0;
    c->want_out = 1;
    c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        if (measuring) socket_errors++;
        c->state = C_CLOSED;
        n_closed++;
        c->retry_at = now + RETRY_NS;
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&addr, addr_len) < 0 && errno != EINPROGRESS) {
        if (measuring) socket_errors++;
        close(c->fd);
        c->fd = -1;
        c->state = C_CLOSED;
        n_closed++;
        c->retry_at = now + RETRY_NS;
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)(c - conns)};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    c->state = C_CONNECTING;
}

static void make_idle(struct conn *c) {
    c->state = C_IDLE;
    c->req = NO_REQUEST;
    n_idle++;
    if (c->in_ring) return; /* its old entry is still in the ring */
    c->in_ring = 1;
    idle[(idle_head + idle_len++) % n_conns] = (int)(c - conns);
}

static struct conn *take_idle(void) {
    for (;;) {
        struct conn *c = &conns[idle[idle_head]];
        idle_head = (idle_head + 1) % n_conns;
        idle_len--;
        c->in_ring = 0;
        if (c->state == C_IDLE) {
            n_idle--;
            return c;
        }
    }
}

/* Closes a connection; an error (not a clean close between responses) counts against its request or, with
 * none in flight, against the run. It is reopened at once after a clean close, a little later after an error. */
static void close_conn(struct conn *c, int error, int64_t now) {
    if (c->state == C_IDLE) n_idle--;
    if (c->state == C_IDLE || c->state == C_BUSY) n_connected--;
    if (c->req != NO_REQUEST) {
        in_flight--;
        if (c->req >= first_measured) socket_errors++;
    } else if (error && measuring) {
        socket_errors++;
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->req = NO_REQUEST;
    c->state = C_CLOSED;
    n_closed++;
    c->retry_at = error ? now + RETRY_NS : now;
    if (measuring) reconnects++;
}

static void reset_parser(struct conn *c) {
    c->ps = P_HEAD;
    c->head_len = 0;
    c->line_len = 0;
    c->status = 0;
    c->close_after = 0;
}

static void write_out(struct conn *c, int64_t now) {
    while (c->out_len) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!c->want_out) set_events(c, 1);
                return;
            }
            if (errno == EINTR) continue;
            close_conn(c, 1, now);
            return;
        }
        c->out += n;
        c->out_len -= (size_t)n;
    }
    if (c->want_out) set_events(c, 0);
}

static void dispatch(struct conn *c, uint64_t req, int64_t now) {
    size_t k = (size_t)(req % n_requests);
    c->state = C_BUSY;
    c->req = req;
    c->out = requests[k];
    c->out_len = request_lens[k];
    reset_parser(c);
    in_flight++;
    if (req >= first_measured) sent++;
    write_out(c, now);
}

/* ---- response parsing ---- */

static int header_is(const char *line, size_t len, const char *name, const char **value, size_t *vlen) {
    size_t n = strlen(name);
    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0) return 0;
    const char *v = line + n + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
    *value = v;
    *vlen = (size_t)(end - v);
    return 1;
}

static int contains_token(const char *v, size_t vlen, const char *token) {
    size_t n = strlen(token);
    for (size_t i = 0; i + n <= vlen; i++)
        if (strncasecmp(v + i, token, n) == 0) return 1;
    return 0;
}

/* Parses the status line and headers in c->head[0..end); sets the body state. -1 on a malformed response. */
static int parse_head(struct conn *c, size_t end) {
    char *h = c->head;
    if (end < 12 || strncmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ' || !isdigit((unsigned char)h[9]) ||
        !isdigit((unsigned char)h[10]) || !isdigit((unsigned char)h[11]))
        return -1;
    int http10 = h[7] == '0';
    c->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
    int chunked = 0, has_len = 0, keep_alive = 0;
    uint64_t length = 0;
    size_t pos = (size_t)((char *)memchr(h, '\n', end) - h) + 1;
    while (pos < end) {
        char *nl = memchr(h + pos, '\n', end - pos);
        size_t len = (size_t)(nl - (h + pos));
        const char *line = h + pos, *v;
        size_t vlen;
        if (header_is(line, len, "content-length", &v, &vlen)) {
            char num[24];
            if (vlen == 0 || vlen >= sizeof num) return -1;
            memcpy(num, v, vlen);
            num[vlen] = 0;
            char *e;
            errno = 0;
            length = strtoull(num, &e, 10);
            if (errno || *e || !isdigit((unsigned char)num[0])) return -1;
            has_len = 1;
        } else if (header_is(line, len, "transfer-encoding", &v, &vlen)) {
            if (contains_token(v, vlen, "chunked")) chunked = 1;
        } else if (header_is(line, len, "connection", &v, &vlen)) {
            if (contains_token(v, vlen, "close")) c->close_after = 1;
            if (contains_token(v, vlen, "keep-alive")) keep_alive = 1;
        }
        pos += len + 1;
    }
    if (http10 && !keep_alive) c->close_after = 1;
    if (c->status / 100 == 1 || c->status == 204 || c->status == 304) {
        c->ps = P_BODY_LEN; /* no body */
        c->remaining = 0;
    } else if (chunked) {
        c->ps = P_CHUNK_SIZE;
        c->line_len = 0;
    } else if (has_len) {
        c->ps = P_BODY_LEN;
        c->remaining = length;
    } else {
        c->ps = P_BODY_EOF;
        c->close_after = 1;
    }
    return 0;
}

/* Reads one line into c->line (keeping its start); returns bytes used, and sets *done at its end. */
static size_t take_line(struct conn *c, const char *p, size_t n, int *done) {
    const size_t keep = sizeof c->line - 1;
    const char *nl = memchr(p, '\n', n);
    size_t used = nl ? (size_t)(nl - p) + 1 : n;
    size_t stored = c->line_len < keep ? c->line_len : keep;
    size_t copy = used < keep - stored ? used : keep - stored;
    memcpy(c->line + stored, p, copy);
    c->line_len += used;
    c->line[stored + copy] = 0;
    *done = nl != NULL;
    return used;
}

static int line_is_empty(const struct conn *c) { return c->line_len == 1 || (c->line_len == 2 && c->line[0] == '\r'); }

/* A response is complete: record it and free the connection (or close it if the server asked to). */
static void response_done(struct conn *c, int64_t now) {
    if (c->status / 100 == 1 && c->status != 101) { /* interim response: the real one follows */
        reset_parser(c);
        return;
    }
    uint64_t req = c->req;
    in_flight--;
    c->req = NO_REQUEST;
    record(req, now);
    if (req >= first_measured && (c->status < 200 || c->status > 299)) non2xx++;
    if (c->close_after || c->status == 101) {
        close_conn(c, 0, now);
        return;
    }
    reset_parser(c);
    make_idle(c);
}

/* Feeds bytes to the parser. -1 on a protocol error (including bytes nobody asked for). */
static int feed(struct conn *c, const char *p, size_t n, int64_t now) {
    while (n) {
        if (c->state != C_BUSY) return -1;
        int done;
        size_t used;
        switch (c->ps) {
        case P_HEAD: {
            size_t from = c->head_len > 3 ? c->head_len - 3 : 0;
            if (c->head_len + n > c->head_cap) {
                size_t cap = c->head_cap ? c->head_cap : 4096;
                while (cap < c->head_len + n) cap *= 2;
                if (cap > MAX_HEADER_BYTES + READ_BUF) return -1;
                c->head = realloc(c->head, cap);
                if (!c->head) return -1;
                c->head_cap = cap;
            }
            memcpy(c->head + c->head_len, p, n);
            size_t old = c->head_len;
            c->head_len += n;
            size_t end = 0;
            for (size_t j = from; j < c->head_len; j++) {
                if (c->head[j] != '\n') continue;
                if (j + 1 < c->head_len && c->head[j + 1] == '\n') {
                    end = j + 2;
                    break;
                }
                if (j + 2 < c->head_len && c->head[j + 1] == '\r' && c->head[j + 2] == '\n') {
                    end = j + 3;
                    break;
                }
            }
            if (!end) {
                if (c->head_len > MAX_HEADER_BYTES) return -1;
                return 0;
            }
            if (parse_head(c, end) < 0) return -1;
            used = end - old;
            p += used;
            n -= used;
            if (c->ps == P_BODY_LEN && c->remaining == 0) response_done(c, now);
            break;
        }
        case P_BODY_LEN:
        case P_CHUNK_DATA:
            used = n < c->remaining ? n : (size_t)c->remaining;
            c->remaining -= used;
            p += used;
            n -= used;
            if (c->remaining == 0) {
                if (c->ps == P_BODY_LEN) {
                    response_done(c, now);
                } else {
                    c->ps = P_CHUNK_END;
                    c->line_len = 0;
                }
            }
            break;
        case P_BODY_EOF:
            return 0; /* everything until the server closes */
        case P_CHUNK_SIZE: {
            used = take_line(c, p, n, &done);
            p += used;
            n -= used;
            if (!done) break;
            char *e;
            errno = 0;
            if (!isxdigit((unsigned char)c->line[0])) return -1;
            uint64_t size = strtoull(c->line, &e, 16);
            if (errno || (*e != '\r' && *e != '\n' && *e != ';' && *e != ' ' && *e != '\t')) return -1;
            c->line_len = 0;
            if (size == 0) {
                c->ps = P_TRAILER;
            } else {
                c->ps = P_CHUNK_DATA;
                c->remaining = size;
            }
            break;
        }
        case P_CHUNK_END:
        case P_TRAILER:
            used = take_line(c, p, n, &done);
            p += used;
            n -= used;
            if (!done) break;
            if (c->ps == P_CHUNK_END) {
                if (!line_is_empty(c)) return -1;
                c->ps = P_CHUNK_SIZE;
                c->line_len = 0;
            } else if (line_is_empty(c)) {
                response_done(c, now);
            } else {
                c->line_len = 0; /* a trailer field: skip it */
            }
            break;
        }
    }
    return 0;
}

static void on_readable(struct conn *c) {
    static char buf[READ_BUF];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        int64_t now = now_ns();
        if (n > 0) {
            if (feed(c, buf, (size_t)n, now) < 0) {
                close_conn(c, 1, now);
                return;
            }
            if (c->state == C_CLOSED) return;
            if ((size_t)n < sizeof buf) return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 && c->state == C_BUSY && c->ps == P_BODY_EOF) { /* close-delimited body ends here */
            c->close_after = 1;
            response_done(c, now);
            return;
        }
        /* EOF or error: clean if nothing was in flight and nothing of a response had arrived */
        int clean = n == 0 && c->req == NO_REQUEST;
        close_conn(c, !clean, now);
        return;
    }
}

static void on_event(struct conn *c, uint32_t events) {
    int64_t now = now_ns();
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err) {
            close_conn(c, 1, now);
            return;
        }
        if (!(events & (EPOLLOUT | EPOLLIN | EPOLLHUP | EPOLLERR))) return;
        n_connected++;
        set_events(c, 0);
        make_idle(c);
        if (events & EPOLLIN) on_readable(c);
        return;
    }
    if (c->state == C_CLOSED) return;
    if ((events & EPOLLOUT) && c->state == C_BUSY) {
        write_out(c, now);
        if (c->state == C_CLOSED) return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
}

static void arm_timer(int64_t at) {
    if (at == timer_armed) return;
    struct itimerspec its = {0};
    if (at > 0) {
        its.it_value.tv_sec = at / 1000000000LL;
        its.it_value.tv_nsec = at % 1000000000LL;
    }
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    timer_armed = at;
}

/* Runs the event loop until `until` (or, with stop_when_connected, until every connection is open). */
static void loop(int64_t until, int stop_when_connected, int stop_when_drained) {
    struct epoll_event events[256];
    for (;;) {
        int64_t now = now_ns();
        if (now >= until) return;
        if (stop_when_connected && n_connected == n_conns) return;
        /* reopen closed connections that are due */
        int64_t next = until;
        for (int i = 0; n_closed && i < n_conns; i++) {
            struct conn *c = &conns[i];
            if (c->state != C_CLOSED) continue;
            if (c->retry_at <= now)
                open_conn(c, now);
            if (c->state == C_CLOSED && c->retry_at < next) next = c->retry_at;
        }
        /* hand every due request to a free connection, oldest first */
        if (t0) {
            while (n_idle && dispatched < total && intended(dispatched) <= now) {
                dispatch(take_idle(), dispatched++, now);
            }
            if (dispatched >= first_measured && !measuring) measuring = 1;
            if (stop_when_drained && dispatched >= total && in_flight == 0) return;
            if (n_idle && dispatched < total && intended(dispatched) < next) next = intended(dispatched);
        }
        int64_t due = n_idle && dispatched < total && measuring ? intended(dispatched) : 0;
        arm_timer(next);
        int n = epoll_wait(epfd, events, 256, -1);
        if (due && now_ns() - due > max_late) max_late = now_ns() - due;
        if (n < 0 && errno != EINTR) {
            perror("openloop: epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.u32 == UINT32_MAX) {
                uint64_t expirations;
                if (read(tfd, &expirations, sizeof expirations) < 0) { /* nothing to do: it was reset */
                }
                timer_armed = -1;
                continue;
            }
            on_event(&conns[events[i].data.u32], events[i].events);
        }
    }
}

static void parse_url(const char *url, char *host, size_t host_cap, char *port, char *path, size_t path_cap) {
    if (strncmp(url, "http://", 7) != 0) bad("only http:// URLs are supported: '%s'", url);
    const char *p = url + 7, *h_end, *rest;
    if (*p == '[') {
        h_end = strchr(p, ']');
        if (!h_end) bad("bad IPv6 address in '%s'", url);
        if ((size_t)(h_end - p - 1) >= host_cap) bad("host too long in '%s'", url);
        memcpy(host, p + 1, (size_t)(h_end - p - 1));
        host[h_end - p - 1] = 0;
        rest = h_end + 1;
    } else {
        h_end = p + strcspn(p, ":/");
        if ((size_t)(h_end - p) >= host_cap || h_end == p) bad("bad host in '%s'", url);
        memcpy(host, p, (size_t)(h_end - p));
        host[h_end - p] = 0;
        rest = h_end;
    }
    strcpy(port, "80");
    if (*rest == ':') {
        size_t n = strcspn(rest + 1, "/");
        if (n == 0 || n > 5) bad("bad port in '%s'", url);
        memcpy(port, rest + 1, n);
        port[n] = 0;
        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)port[i])) bad("bad port in '%s'", url);
        rest += 1 + n;
    }
    if (*rest && *rest != '/') bad("bad URL '%s'", url);
    if (strlen(*rest ? rest : "/") >= path_cap) bad("path too long in '%s'", url);
    strcpy(path, *rest ? rest : "/");
}

int main(int argc, char **argv) {
    char **headers = xmalloc(sizeof(char *) * (size_t)(argc + 1));
    int n_headers = 0;
    const char *paths_file = NULL;
    int have_c = 0, have_r = 0, have_d = 0;
    int opt;
    opterr = 0;
    while ((opt = getopt(argc, argv, "c:R:d:w:H:p:h")) != -1) {
        switch (opt) {
        case 'c': {
            double v = parse_number(optarg, "-c");
            if (v < 1 || v > 100000 || v != floor(v)) bad("-c must be a whole number from 1 to 100000");
            n_conns = (int)v;
            have_c = 1;
            break;
        }
        case 'R':
            rate = parse_number(optarg, "-R");
            if (rate <= 0 || rate > 10000000) bad("-R must be above 0 requests/s");
            have_r = 1;
            break;
        case 'd':
            duration_s = parse_number(optarg, "-d");
            if (duration_s <= 0 || duration_s > 86400) bad("-d must be above 0 seconds");
            have_d = 1;
            break;
        case 'w':
            warmup_s = parse_number(optarg, "-w");
            if (warmup_s < 0 || warmup_s > 86400) bad("-w must be 0 or more seconds");
            break;
        case 'H':
            if (!strchr(optarg, ':') || optarg[0] == ':' || strpbrk(optarg, "\r\n"))
                bad("-H takes 'Name: value' on one line, got '%s'", optarg);
            headers[n_headers++] = optarg;
            break;
        case 'p':
            paths_file = optarg;
            break;
        default:
            usage();
        }
    }
    if (!have_c || !have_r || !have_d) bad("-c, -R and -d are required");
    if (optind != argc - 1) bad("one URL is required");

    char host[256], port[8], url_path[4096];
    parse_url(argv[optind], host, sizeof host, port, url_path, sizeof url_path);
    char hostport[280];
    if (strchr(host, ':'))
        snprintf(hostport, sizeof hostport, "[%s]:%s", host, port);
    else
        snprintf(hostport, sizeof hostport, "%s:%s", host, port);

    if (paths_file) {
        FILE *f = fopen(paths_file, "r");
        if (!f) bad("cannot read %s: %s", paths_file, strerror(errno));
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) >= 0) {
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
            if (len) add_request(line, hostport, headers, n_headers);
        }
        free(line);
        fclose(f);
        if (!n_requests) bad("%s holds no paths", paths_file);
    } else {
        add_request(url_path, hostport, headers, n_headers);
    }

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai) {
        fprintf(stderr, "openloop: cannot resolve %s: %s\n", host, gai_strerror(gai));
        return 1;
    }
    memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
    addr_len = ai->ai_addrlen;
    freeaddrinfo(ai);

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n_conns + 16) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epfd < 0 || tfd < 0) {
        perror("openloop: epoll/timerfd");
        return 1;
    }
    struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev);

    conns = calloc((size_t)n_conns, sizeof *conns);
    idle = xmalloc(sizeof(int) * (size_t)n_conns);
    if (!conns) bad("out of memory");
    int64_t start = now_ns();
    for (int i = 0; i < n_conns; i++) {
        conns[i].fd = -1;
        n_closed++;
        open_conn(&conns[i], start);
    }
    loop(start + CONNECT_WAIT_NS, 1, 0);
    if (n_connected == 0) {
        fprintf(stderr, "openloop: cannot connect to %s\n", hostport);
        return 1;
    }

    total = (uint64_t)ceil((warmup_s + duration_s) * rate - 1e-9);
    first_measured = (uint64_t)ceil(warmup_s * rate - 1e-9);
    t0 = now_ns();
    measuring = first_measured == 0;
    int64_t end = t0 + (int64_t)((warmup_s + duration_s) * 1e9);
    loop(end + GRACE_NS, 0, 1);

    /* whatever is still queued or in flight after the grace is a timeout */
    for (uint64_t i = dispatched > first_measured ? dispatched : first_measured; i < total; i++) timeouts++;
    for (int i = 0; i < n_conns; i++)
        if (conns[i].req != NO_REQUEST && conns[i].req >= first_measured) timeouts++;

    qsort(lat_us, n_lat, sizeof *lat_us, cmp_u64);
    double sum = 0;
    for (size_t i = 0; i < n_lat; i++) sum += (double)lat_us[i];
    int64_t measure_start = intended(first_measured);
    double span = (double)(last_done - measure_start) / 1e9;
    if (span < duration_s) span = duration_s;
    printf("{\"rate\": %.6g, \"achieved_rps\": %.1f, \"sent\": %llu, \"completed\": %llu, \"non2xx\": %llu, "
           "\"socket_errors\": %llu, \"timeouts\": %llu, \"reconnects\": %llu, \"connections\": %d, "
           "\"duration_s\": %.6g, \"warmup_s\": %.6g, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, "
           "\"p999_ms\": %.3f, \"max_ms\": %.3f, \"mean_ms\": %.3f, \"max_late_ms\": %.3f}\n",
           rate, (double)completed / span, (unsigned long long)sent, (unsigned long long)completed,
           (unsigned long long)non2xx, (unsigned long long)socket_errors, (unsigned long long)timeouts,
           (unsigned long long)reconnects, n_conns, duration_s, warmup_s, pct(50), pct(90), pct(99), pct(99.9),
           n_lat ? (double)lat_us[n_lat - 1] / 1000.0 : 0.0, n_lat ? sum / (double)n_lat / 1000.0 : 0.0,
           (double)max_late / 1e6);
    return 0;
}
