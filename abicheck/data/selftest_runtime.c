/* The runtime of the program `abicheck selftest` generates (see
 * abicheck/fault/selftest.py): the generator puts the target's name and the
 * scenarios' functions where the marker lines are.  Performs each scenario's
 * operations on the running kernel and prints what it answered, one line per
 * operation; with expectations (the simulator's lines), a check line after each. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MAP_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE)
#ifndef SYS_pkey_alloc
#error "this libc's <sys/syscall.h> has no pkey system calls"
#endif

static sigjmp_buf fault_jmp;
static unsigned char fault_blob[128];
static volatile int fault_signo, fault_code;
static int have_pkru, pipe_fd[2];
/* the line expected of each op (with its newline), NULL: no expectation */
static const char *const *expect;
static int expect_count;

static void say(const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(1, s, n);
        if (w <= 0) return;
        s += w; n -= (size_t)w;
    }
}

/* The check line after op i's line: OK, or MISMATCH with the expected line
 * (for a fault, both hex dumps are then on the console). */
static void check(int i, const char *line)
{
    char out[512];
    if (!expect)
        return;
    if (i < expect_count && expect[i] && strcmp(expect[i], line) == 0)
        snprintf(out, sizeof out, "check %d OK\n", i);
    else
        snprintf(out, sizeof out, "check %d MISMATCH expected %s", i,
                 i < expect_count && expect[i] ? expect[i] : "nothing\n");
    say(out);
}

static void ret_line(int i, long long ret, int err)
{
    char line[96];
    snprintf(line, sizeof line, "op %d ret=%lld errno=%d\n", i, ret, err);
    say(line);
    check(i, line);
}

static void fault_line(int i)
{
    static const char hex[] = "0123456789abcdef";
    char line[400];
    int n = snprintf(line, sizeof line, "op %d fault signo=%d code=%d blob=", i,
                     fault_signo, fault_code);
    for (int k = 0; k < 128; k++) {
        line[n++] = hex[fault_blob[k] >> 4];
        line[n++] = hex[fault_blob[k] & 15];
    }
    line[n++] = '\n';
    line[n] = 0;
    say(line);
    check(i, line);
}

__attribute__((used)) static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    memcpy(fault_blob, si, sizeof fault_blob);
    fault_signo = si->si_signo;
    fault_code = si->si_code;
    siglongjmp(fault_jmp, 1);
}

/* The handler's first instructions, before anything touches its stack:
 * PKRU = 0 (every key allowed), so a handler running on a stack under a key
 * the kernel's signal-entry PKRU denies can still run -- whether the kernel
 * could write the signal frame there at all is what the scenario observes.
 * WRPKRU clobbers EAX, ECX, EDX: on_fault's third argument (unused) is lost. */
__asm__(".text\n"
        ".type fault_entry_pkru, @function\n"
        "fault_entry_pkru:\n"
        "    xor %eax, %eax\n"
        "    xor %ecx, %ecx\n"
        "    xor %edx, %edx\n"
        "    .byte 0x0f, 0x01, 0xef\n"
        "    jmp on_fault\n");
void fault_entry_pkru(int, siginfo_t *, void *);

/* CPUID.(EAX=7,ECX=0):ECX bit 4 (OSPKE): the kernel enabled protection keys,
 * so RDPKRU/WRPKRU exist. */
static int cpu_ospke(void)
{
    unsigned a = 7, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 4) & 1;
}

static unsigned rdpkru(void)
{
    unsigned eax, edx;
    __asm__ volatile(".byte 0x0f,0x01,0xee" : "=a"(eax), "=d"(edx) : "c"(0));
    return eax;
}

static void wrpkru(unsigned v)
{
    __asm__ volatile(".byte 0x0f,0x01,0xef" : : "a"(v), "c"(0), "d"(0) : "memory");
}

static void drain(void)
{
    char buf[4096];
    while (read(pipe_fd[0], buf, sizeof buf) > 0)
        ;
}

#define SYSCALL(i, call) do { errno = 0; long long r_ = (long long)(call); \
    ret_line((i), r_, r_ == -1 ? errno : 0); } while (0)

/* An access: no fault prints ret=0; a fault prints the siginfo and puts
 * PKRU back as sigreturn would have. */
#define ACCESS(i, stmt) do { volatile unsigned pk_ = have_pkru ? rdpkru() : 0; \
    if (sigsetjmp(fault_jmp, 1) == 0) { stmt; ret_line((i), 0, 0); } \
    else { if (have_pkru) wrpkru(pk_); fault_line(i); } } while (0)

static void setup(int onstack)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = have_pkru ? fault_entry_pkru : on_fault;
    sa.sa_flags = SA_SIGINFO | (onstack ? SA_ONSTACK : 0);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (pipe2(pipe_fd, O_NONBLOCK)) { say("pipe failed\n"); _exit(3); }
}

/* @SCENARIOS@ */

int main(void)
{
    struct rlimit no_core = {0, 0};
    char line[512];
    setrlimit(RLIMIT_CORE, &no_core);
    have_pkru = cpu_ospke();
    snprintf(line, sizeof line, "selftest target=%s ospke=%d\n", SELFTEST_TARGET, have_pkru);
    say(line);
    for (size_t k = 0; k < sizeof scenarios / sizeof scenarios[0]; k++) {
        int status;
        pid_t pid;
        snprintf(line, sizeof line, "scenario %s\n", scenarios[k].name);
        say(line);
        pid = fork();
        if (pid == 0) {
            expect = scenarios[k].expect;
            expect_count = scenarios[k].count;
            scenarios[k].run();
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            say("fork failed\n");
            return 1;
        }
        if (WIFSIGNALED(status)) {
            snprintf(line, sizeof line, "killed signo=%d\n", WTERMSIG(status));
            say(line);
        }
        if (scenarios[k].expect) {   /* the process's end as the simulator expected it */
            const char *want = scenarios[k].killed ? scenarios[k].killed : "exit\n";
            const char *got = WIFSIGNALED(status) ? line : "exit\n";
            char out[160];
            snprintf(out, sizeof out, strcmp(want, got) ? "check end MISMATCH expected %s"
                     : "check end OK\n", want);
            say(out);
        }
        if (WIFSIGNALED(status))
            snprintf(line, sizeof line, "end %s\n", scenarios[k].name);
        else
            snprintf(line, sizeof line, "end %s exit=%d\n", scenarios[k].name,
                     WEXITSTATUS(status));
        say(line);
    }
    say("selftest done\n");
    return 0;
}
