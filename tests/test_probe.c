/* The probe engine (SPEC section 10): the probe syntax and the HTTP reply
 * parser as units, then the real binary's --probe and wait = against local
 * servers (tests/helpers/http_serve.py, tcp_listen, fake_dns.py in a
 * network namespace). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "http.h"
#include "probe.h"

/* --- the probe syntax --------------------------------------------------- */

static struct probe parse_ok(const char *text)
{
	char err[512] = "";
	struct probe p;

	ck_assert_msg(probe_parse(text, &p, err, sizeof(err)) == 0, "'%s': %s", text, err);
	return p;
}

static void parse_bad(const char *text, const char *needle)
{
	char err[512] = "";
	struct probe p;

	ck_assert_msg(probe_parse(text, &p, err, sizeof(err)) == -1, "'%s' should be refused", text);
	ck_assert_msg(strstr(err, needle), "'%s': '%s' lacks '%s'", text, err, needle);
}

START_TEST(test_parse_each_kind)
{
	struct probe p = parse_ok("tcp://db:5432");

	ck_assert_int_eq(p.kind, PROBE_TCP);
	ck_assert_str_eq(p.host, "db");
	ck_assert_int_eq(p.port, 5432);
	p = parse_ok("TCP://[::1]:80");
	ck_assert_str_eq(p.host, "::1");
	p = parse_ok("http://web");
	ck_assert_int_eq(p.kind, PROBE_HTTP);
	ck_assert_int_eq(p.port, 80);
	ck_assert_str_eq(p.path, "/");
	ck_assert_str_eq(p.host_header, "web");
	p = parse_ok("http://127.0.0.1:8000/healthz?full=1#frag");
	ck_assert_str_eq(p.host, "127.0.0.1");
	ck_assert_int_eq(p.port, 8000);
	ck_assert_str_eq(p.path, "/healthz?full=1");
	ck_assert_str_eq(p.host_header, "127.0.0.1:8000");
	p = parse_ok("http://[2001:db8::1]:8080/x");
	ck_assert_str_eq(p.host, "2001:db8::1");
	ck_assert_str_eq(p.host_header, "[2001:db8::1]:8080");
	p = parse_ok("http://svc?q");
	ck_assert_str_eq(p.path, "/?q");
	p = parse_ok("unix:///run/app.sock");
	ck_assert_int_eq(p.kind, PROBE_UNIX);
	ck_assert_str_eq(p.path, "/run/app.sock");
	p = parse_ok("dns://db.default.svc.cluster.local.");
	ck_assert_int_eq(p.kind, PROBE_DNS);
	ck_assert_str_eq(p.host, "db.default.svc.cluster.local.");
	p = parse_ok("file:///data/ready");
	ck_assert_int_eq(p.kind, PROBE_FILE);
	ck_assert_str_eq(p.path, "/data/ready");
}
END_TEST

START_TEST(test_parse_refuses_malformed)
{
	char longpath[200];

	parse_bad("https://web/healthz", "initc speaks no TLS");
	parse_bad("https://web/healthz", "command step");
	parse_bad("HTTPS://web", "no TLS");
	parse_bad("db:5432", "bad probe 'db:5432'; write tcp://HOST:PORT");
	parse_bad("ftp://host/", "unknown probe 'ftp://'");
	parse_bad("", "bad probe");
	parse_bad("tcp://db", "host:port");
	parse_bad("tcp://db:0", "1 to 65535");
	parse_bad("tcp://db:5432/x", "nothing after it");
	parse_bad("http://", "bad host ''");
	parse_bad("http://web:", "bad port");
	parse_bad("http://web:99999/", "bad port '99999'");
	parse_bad("http://web:8o/", "bad port '8o'");
	parse_bad("http://we b/", "bad host");
	parse_bad("http://user:pw@web/", "passwords");
	parse_bad("http://[::1/", "bad IPv6 address");
	parse_bad("http://[1.2.3.4]/", "bad IPv6 address");
	parse_bad("http://[::1]x/", "bad port");
	parse_bad("http://web/a b", "percent-encode");
	parse_bad("http://web/a\x01", "percent-encode");
	parse_bad("http://web/caf\xc3\xa9", "percent-encode");
	parse_bad("unix://run/app.sock", "unix:///PATH (three slashes)");
	parse_bad("file://data/ready", "absolute path");
	parse_bad("dns://", "bad name ''");
	parse_bad("dns://db:53", "bad name 'db:53'");
	parse_bad("dns://a/b", "bad name");
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:///", 8);
	longpath[sizeof(longpath) - 1] = '\0';
	parse_bad(longpath, "longer than 107 bytes");
}
END_TEST

/* --- the HTTP reply parser ---------------------------------------------- */

static enum http_parse parse_reply(const char *text, struct http_reply *r)
{
	return http_parse(text, strlen(text), r);
}

START_TEST(test_http_parse_statuses_and_heads)
{
	struct http_reply r;

	ck_assert_int_eq(parse_reply("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.reason, "OK");
	ck_assert_int_eq(parse_reply("HTTP/1.0 503 Service Unavailable\n\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(r.reason, "Service Unavailable");
	ck_assert_int_eq(parse_reply("HTTP/1.1 204\r\n\r\n", &r), HTTP_DONE);
	ck_assert_str_eq(r.reason, "");
	ck_assert_int_eq(parse_reply("HTTP/1.1 404 Not\x1b[2J\r\n\r\n", &r), HTTP_DONE);
	ck_assert_str_eq(r.reason, "Not?[2J"); /* no escape sequence reaches a log */
	/* not finished yet: any prefix of a good head */
	ck_assert_int_eq(parse_reply("", &r), HTTP_MORE);
	ck_assert_int_eq(parse_reply("HTT", &r), HTTP_MORE);
	ck_assert_int_eq(parse_reply("HTTP/1.1 200 OK\r\n", &r), HTTP_MORE);
	ck_assert_int_eq(parse_reply("HTTP/1.1 200 OK\r\nServer: x", &r), HTTP_MORE);
}
END_TEST

START_TEST(test_http_parse_refuses_garbage_early)
{
	struct http_reply r;
	char *big;

	ck_assert_int_eq(parse_reply("SSH-2.0-OpenSSH", &r), HTTP_BAD);
	ck_assert_str_eq(r.why, "not an HTTP reply: 'SSH-2.0-OpenSSH'");
	ck_assert_int_eq(parse_reply("H\xff", &r), HTTP_BAD);
	ck_assert_int_eq(parse_reply("HTTP/1.1 20x OK\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse_reply("HTTP/1.1 099 Low\r\n\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse_reply("HTTP/1.1 200OK\r\n\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse_reply("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", &r), HTTP_BAD);
	ck_assert_msg(strstr(r.why, "bad header line"), "%s", r.why);
	ck_assert_int_eq(parse_reply("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse_reply("HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n", &r), HTTP_BAD);
	/* a head that never ends is cut at HTTP_HEAD_MAX */
	big = malloc(HTTP_HEAD_MAX + 1);
	memset(big, 'a', HTTP_HEAD_MAX);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	ck_assert_int_eq(http_parse(big, HTTP_HEAD_MAX - 1, &r), HTTP_MORE);
	ck_assert_int_eq(http_parse(big, HTTP_HEAD_MAX, &r), HTTP_BAD);
	ck_assert_str_eq(r.why, "the reply's head is longer than 8192 bytes");
	free(big);
}
END_TEST

START_TEST(test_http_request_text)
{
	char buf[256];
	size_t n = http_request(buf, sizeof(buf), "web:8000", "/healthz");

	ck_assert_str_eq(buf, "GET /healthz HTTP/1.1\r\nHost: web:8000\r\nUser-Agent: initc\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n");
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_uint_eq(http_request(buf, 20, "web", "/"), 0);
}
END_TEST

/* --- initc --probe and wait = against a local HTTP server --------------- */

struct server {
	pid_t pid;
	int port;
	char *dir, *log;
};

/* Starts tests/helpers/http_serve.py (--delay ms when > 0; --unix path). */
static void server_start(struct server *s, int delay_ms, const char *unix_path)
{
	const char *argv[12] = { "/usr/bin/env", "python3", "tests/helpers/http_serve.py" };
	char delay[16], *portfile, *text;
	int n = 3;

	s->dir = make_tempdir();
	portfile = path_join(s->dir, "port");
	s->log = path_join(s->dir, "requests");
	snprintf(delay, sizeof(delay), "%d", delay_ms);
	argv[n++] = "--delay";
	argv[n++] = delay;
	if (unix_path) {
		argv[n++] = "--unix";
		argv[n++] = unix_path;
	}
	argv[n++] = portfile;
	argv[n++] = s->log;
	argv[n] = NULL;
	s->pid = start_helper(argv);
	ck_assert_msg(wait_for_file(portfile, 10000), "http_serve.py wrote no port");
	text = read_file(portfile);
	s->port = atoi(text);
	free(text);
	free(portfile);
}

static void server_stop(struct server *s)
{
	stop_helper(s->pid);
	rm_rf(s->dir);
	free(s->dir);
	free(s->log);
}

/* initc --probe URL (--timeout t when not NULL). */
static void probe_cli(const char *url, const char *timeout, struct run_result *res)
{
	const char *args[] = { "--probe", url, timeout ? "--timeout" : NULL, timeout, NULL };

	run_initc(args, NULL, 30, res);
}

/* --probe http://127.0.0.1:PORT/path: its status, and its stderr holds want. */
static void http_case(const struct server *s, const char *path, int status, const char *want)
{
	struct run_result res;
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	probe_cli(url, "3s", &res);
	ck_assert_msg(res.status == status, "%s: status %d\n%s", url, res.status, res.err);
	if (want)
		ASSERT_HAS(res.err, want);
	else
		ck_assert_msg(res.err[0] == '\0', "%s: %s", url, res.err);
	ck_assert_msg(res.secs < 8, "%s took %.1fs", url, res.secs);
	run_result_free(&res);
}

START_TEST(test_probe_cli_http_answers)
{
	struct server s;
	char *log;

	server_start(&s, 0, NULL);
	http_case(&s, "/ok", 0, NULL);
	http_case(&s, "/redirect", 0, NULL); /* 3xx succeeds, and is not followed */
	http_case(&s, "/missing", 1, "GET /missing: HTTP 404 Not Found");
	http_case(&s, "/down", 1, "GET /down: HTTP 503 Service Unavailable");
	http_case(&s, "/garbage", 1, "GET /garbage: not an HTTP reply: '??SSH-2.0-OpenSSH_9.6");
	http_case(&s, "/endless", 1, "GET /endless: the reply's head is longer than 8192 bytes");
	http_case(&s, "/close", 1, "GET /close: the server closed the connection without a reply");
	log = read_file(s.log);
	ASSERT_HAS(log, "GET /ok HTTP/1.1\r\n");
	ck_assert_msg(count_substr(log, "GET /redirect") == 1 && !strstr(log, "/elsewhere"),
		      "a redirect was followed:\n%s", log);
	ASSERT_HAS(log, "Connection: close\r\n");
	ck_assert(strstr(log, "Host: 127.0.0.1:") != NULL);
	free(log);
	server_stop(&s);
}
END_TEST

/* A server that never answers, or drips bytes: the timeout ends it. */
START_TEST(test_probe_cli_silent_and_drip_end_at_timeout)
{
	struct server s;

	server_start(&s, 0, NULL);
	http_case(&s, "/silent", 1, "GET /silent: no reply in time");
	http_case(&s, "/drip", 1, "GET /drip: the reply did not end in time");
	server_stop(&s);
}
END_TEST

START_TEST(test_probe_cli_reads_no_config_and_reports_usage)
{
	const char *env[] = { "INITC_CONFIG=/nonexistent/initc.ini", NULL };
	const char *args[] = { "--probe", "file:///", NULL };
	const char *bad_timeout[] = { "--probe", "file:///", "--timeout", "soon", NULL };
	const char *no_probe[] = { "--timeout", "2s", NULL };
	struct run_result res;

	run_initc(args, env, 30, &res);
	ck_assert_msg(res.status == 0, "status %d: %s", res.status, res.err);
	run_result_free(&res);
	probe_cli("https://example.com/", NULL, &res);
	ck_assert_int_eq(res.status, 64);
	ASSERT_HAS(res.err, "initc speaks no TLS");
	run_result_free(&res);
	run_initc(bad_timeout, NULL, 30, &res);
	ck_assert_int_eq(res.status, 64);
	ASSERT_HAS(res.err, "--timeout takes a duration");
	run_result_free(&res);
	run_initc(no_probe, NULL, 30, &res);
	ck_assert_int_eq(res.status, 64);
	run_result_free(&res);
}
END_TEST

/* Not root: a HEALTHCHECK runs as the image's user. */
START_TEST(test_probe_cli_as_nobody)
{
	char cmd[512];

	if (geteuid() != 0 || system("command -v setpriv >/dev/null") != 0) {
		printf("SKIP: needs root and setpriv\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "setpriv --reuid=65534 --regid=65534 --clear-groups test -x %s",
		 initc_bin());
	if (system(cmd) != 0) {
		printf("SKIP: nobody cannot run %s (a private checkout)\n", initc_bin());
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "setpriv --reuid=65534 --regid=65534 --clear-groups %s --probe dns://localhost",
		 initc_bin());
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_probe_cli_unix_file_dns)
{
	char *dir = make_tempdir(), *sock = path_join(dir, "app.sock"), *plain, url[256];
	struct run_result res;
	struct server s;

	server_start(&s, 0, sock);
	snprintf(url, sizeof(url), "unix://%s", sock);
	probe_cli(url, NULL, &res);
	ck_assert_msg(res.status == 0, "%s: %s", url, res.err);
	run_result_free(&res);
	/* a plain file where the socket should be is not a listener */
	plain = write_file(dir, "plain.sock", "");
	snprintf(url, sizeof(url), "unix://%s", plain);
	probe_cli(url, NULL, &res);
	ck_assert_int_eq(res.status, 1);
	ASSERT_HAS(res.err, "plain.sock: Connection refused");
	run_result_free(&res);
	snprintf(url, sizeof(url), "file://%s", plain);
	probe_cli(url, NULL, &res);
	ck_assert_int_eq(res.status, 0);
	run_result_free(&res);
	snprintf(url, sizeof(url), "file://%s/nothere", dir);
	probe_cli(url, NULL, &res);
	ck_assert_int_eq(res.status, 1);
	ASSERT_HAS(res.err, "nothere: No such file or directory");
	run_result_free(&res);
	probe_cli("dns://localhost", NULL, &res);
	ck_assert_msg(res.status == 0, "%s", res.err);
	run_result_free(&res);
	probe_cli("dns://nonexistent.invalid", "2s", &res);
	ck_assert_int_eq(res.status, 1);
	ASSERT_HAS(res.err, "probe dns://nonexistent.invalid: cannot resolve 'nonexistent.invalid': ");
	run_result_free(&res);
	server_stop(&s);
	free(plain);
	free(sock);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* wait = http://... with a server that starts listening 1.5 s late: the
 * first attempts fail (and say why), a retry succeeds. */
START_TEST(test_wait_http_server_appears_late)
{
	char *dir = make_tempdir(), *cfg, port[32];
	const char *args[3] = { "-c", NULL, NULL };
	const char *env[] = { port, NULL };
	struct run_result res;
	struct server s;

	server_start(&s, 1500, NULL);
	snprintf(port, sizeof(port), "PORT=%d", s.port);
	cfg = write_config(dir, "[step:web]\nwait = http://127.0.0.1:${PORT}/healthz\n"
				"retries = 60\nretry_delay = 200ms\n");
	args[1] = cfg;
	run_initc(args, env, 60, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "Connection refused");
	ASSERT_HAS(res.err, "step web: succeeded");
	run_result_free(&res);
	free(cfg);
	server_stop(&s);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* A failing wait = says why, with the step's status, and a timeout is the
 * step's timeout. */
START_TEST(test_wait_http_failure_and_timeout_say_why)
{
	char *dir = make_tempdir(), *cfg, port[32];
	const char *args[3] = { "-c", NULL, NULL };
	const char *env[] = { port, NULL };
	struct run_result res;
	struct server s;

	server_start(&s, 0, NULL);
	snprintf(port, sizeof(port), "PORT=%d", s.port);
	cfg = write_config(dir, "[step:web]\nwait = http://127.0.0.1:${PORT}/down\nretries = 1\n"
				"retry_delay = 100ms\n"
				"[step:slow]\nwait = http://127.0.0.1:${PORT}/silent\ntimeout = 1s\n");
	args[1] = cfg;
	run_initc(args, env, 60, &res);
	ck_assert_msg(res.status == 1, "status %d\n%s", res.status, res.err);
	ck_assert_int_eq(count_substr(res.err, "step web: GET /down: HTTP 503 Service Unavailable"), 2);
	run_result_free(&res);
	free(cfg);
	cfg = write_config(dir, "[step:slow]\nwait = http://127.0.0.1:${PORT}/silent\ntimeout = 1s\n");
	args[1] = cfg;
	run_initc(args, env, 60, &res);
	ck_assert_msg(res.status == 124, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "step slow: GET /silent: no reply in time");
	ASSERT_HAS(res.err, "timed out after 1s");
	run_result_free(&res);
	free(cfg);
	server_stop(&s);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* wait_file runs in the probe child, as the step's user: PID 1 (root)
 * could stat the path, nobody cannot. */
START_TEST(test_wait_file_runs_in_the_child)
{
	char *dir = make_tempdir(), *cfg, *priv;
	const char *args[3] = { "-c", NULL, NULL };
	struct run_result res;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		rm_rf(dir);
		free(dir);
		return;
	}
	priv = path_join(dir, "private");
	ck_assert_int_eq(mkdir(priv, 0700), 0);
	free(write_file(priv, "ready", ""));
	cfg = write_config(dir, "[step:root]\nwait_file = %s/ready\n"
				"[step:nobody]\nwait_file = %s/ready\nuser = nobody\n", priv, priv);
	args[1] = cfg;
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 1, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "step root: succeeded");
	ASSERT_HAS(res.err, "step nobody: ");
	ASSERT_HAS(res.err, "private/ready: Permission denied");
	run_result_free(&res);
	free(cfg);
	free(priv);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* --- names through a fake DNS server, in a network namespace ------------ */

static bool can_unshare_net(void)
{
	return geteuid() == 0 && system("unshare --net --mount true >/dev/null 2>&1") == 0;
}

/* Run inside `unshare --net --mount`: lo up, the files bind-mounted, a
 * dead nameserver (drops every query) on 127.0.0.2 and the fake on
 * 127.0.0.1 port 53 with the rules of $d/rules (none when it is empty), a
 * TCP listener, then initc with the config. */
static const char netns_script[] =
	"set -eu\n"
	"d=$1; bin=$2\n"
	"ip link set lo up\n"
	"mount --bind \"$d/resolv.conf\" /etc/resolv.conf\n"
	"mount --bind \"$d/hosts\" /etc/hosts\n"
	"python3 tests/helpers/fake_dns.py --addr 127.0.0.2 --port 53 \"$d/deadport\" \"$d/deadq\" \\\n"
	"    '*=DROP' &\n"
	"dead=$!\n"
	"dns=; echo 0 >\"$d/dnsport\"\n"
	"if [ -s \"$d/rules\" ]; then rm \"$d/dnsport\"\n"
	"  python3 tests/helpers/fake_dns.py --port 53 \"$d/dnsport\" \"$d/queries\" $(cat \"$d/rules\") &\n"
	"  dns=$!; fi\n"
	"\"$HELPERS/tcp_listen\" -t 60 \"$d/tcpport\" &\n"
	"tcp=$!\n"
	"trap 'kill $dns $dead $tcp 2>/dev/null || true' EXIT\n"
	"i=0; while [ ! -s \"$d/dnsport\" ] || [ ! -s \"$d/deadport\" ] || [ ! -s \"$d/tcpport\" ]; do\n"
	"  i=$((i+1)); [ $i -lt 200 ] || { echo 'helpers did not start' >&2; exit 90; }\n"
	"  sleep 0.05; done\n"
	"TCP_PORT=$(cat \"$d/tcpport\") \"$bin\" -c \"$d/initc.ini\" && rc=0 || rc=$?\n"
	"exit $rc\n";

static void run_in_netns(const char *resolv, const char *rules, const char *config,
			 struct run_result *res)
{
	char *dir = make_tempdir(), *script;
	const char *args[] = { "unshare", "--net", "--mount", "sh", NULL, dir, initc_bin(), NULL };

	script = write_file(dir, "run.sh", netns_script);
	free(write_file(dir, "resolv.conf", resolv));
	free(write_file(dir, "hosts", "127.0.0.1 localhost\n"));
	free(write_file(dir, "rules", rules));
	free(write_file(dir, "initc.ini", config));
	args[4] = script;
	wait_initc(start_program(args, NULL, dir), dir, 90, res);
	free(script);
	rm_rf(dir);
	free(dir);
}

/* dns:// for a name that appears 2 s late; tcp:// to a name whose server
 * never answers AAAA (the A address connects within a 3 s attempt); a
 * dead first nameserver with a working second, within the attempt. */
START_TEST(test_netns_late_name_no_aaaa_dead_first_nameserver)
{
	struct run_result res;

	if (!can_unshare_net()) {
		printf("SKIP: needs root and unshare --net --mount\n");
		return;
	}
	run_in_netns("nameserver 127.0.0.2\nnameserver 127.0.0.1\noptions timeout:5 attempts:2\n",
		     "late.test=AFTER:2,A:127.0.0.1 noaaaa.test=DROPAAAA,A:127.0.0.1\n",
		     "[step:late]\nwait = dns://late.test\nretries = 30\nretry_delay = 200ms\n"
		     "[step:noaaaa]\nwait = tcp://noaaaa.test:${TCP_PORT}\ntimeout = 4s\n"
		     "[step:gone]\nwait = dns://gone.test\ntimeout = 4s\noptional = true\n",
		     &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "step late: cannot resolve 'late.test': no such host");
	ASSERT_HAS(res.err, "step late: succeeded");
	ASSERT_HAS(res.err, "step noaaaa: succeeded");
	ASSERT_HAS(res.err, "step gone: cannot resolve 'gone.test': no such host");
	run_result_free(&res);
}
END_TEST

/* A name with 40 addresses, only the last of which listens (issue 17
 * item 9); a nameserver that never answers, and an empty resolv.conf:
 * each failed attempt says why. */
START_TEST(test_netns_forty_addresses_and_no_nameserver)
{
	char rules[1024] = "many.test=";
	struct run_result res;

	if (!can_unshare_net()) {
		printf("SKIP: needs root and unshare --net --mount\n");
		return;
	}
	for (int i = 2; i <= 40; i++)
		snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules), "A:127.0.0.%d,", i);
	strcat(rules, "A:127.0.0.1\n");
	run_in_netns("nameserver 127.0.0.1\n", rules,
		     "[step:many]\nwait = tcp://many.test:${TCP_PORT}\n", &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "step many: succeeded");
	run_result_free(&res);
	/* only a dead nameserver: every timed-out attempt says so (issue 17 item 3) */
	run_in_netns("nameserver 127.0.0.2\n", "",
		     "[step:dead]\nwait = dns://x.test.\ntimeout = 2s\nretries = 2\n"
		     "retry_delay = 100ms\n", &res);
	ck_assert_msg(res.status == 124, "status %d\n%s", res.status, res.err);
	ck_assert_msg(count_substr(res.err, "step dead: cannot resolve 'x.test.': no answer from "
					    "127.0.0.2 in 1.") == 3, "%s", res.err);
	run_result_free(&res);
	run_in_netns("# empty\n", "",
		     "[step:none]\nwait = dns://x.test.\ntimeout = 2s\n", &res);
	ck_assert_int_ne(res.status, 0);
	ASSERT_HAS(res.err, "/etc/resolv.conf names no nameserver (the default, cannot ask "
			    "127.0.0.1: Connection refused)");
	run_result_free(&res);
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *unit = tcase_create("unit"), *cli = tcase_create("cli"), *netns = tcase_create("netns");

	tcase_add_test(unit, test_parse_each_kind);
	tcase_add_test(unit, test_parse_refuses_malformed);
	tcase_add_test(unit, test_http_parse_statuses_and_heads);
	tcase_add_test(unit, test_http_parse_refuses_garbage_early);
	tcase_add_test(unit, test_http_request_text);
	suite_add_tcase(s, unit);
	tcase_set_timeout(cli, 90);
	tcase_add_test(cli, test_probe_cli_http_answers);
	tcase_add_test(cli, test_probe_cli_silent_and_drip_end_at_timeout);
	tcase_add_test(cli, test_probe_cli_reads_no_config_and_reports_usage);
	tcase_add_test(cli, test_probe_cli_as_nobody);
	tcase_add_test(cli, test_probe_cli_unix_file_dns);
	tcase_add_test(cli, test_wait_http_server_appears_late);
	tcase_add_test(cli, test_wait_http_failure_and_timeout_say_why);
	tcase_add_test(cli, test_wait_file_runs_in_the_child);
	suite_add_tcase(s, cli);
	tcase_set_timeout(netns, 120);
	tcase_add_test(netns, test_netns_late_name_no_aaaa_dead_first_nameserver);
	tcase_add_test(netns, test_netns_forty_addresses_and_no_nameserver);
	suite_add_tcase(s, netns);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
