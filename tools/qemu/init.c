/* The initramfs's only program (PID 1) for tools/qemu/run.py: prints whether
 * the guest CPU offers protection keys (pku and ospke in /proc/cpuinfo), runs
 * /selftest-x86_64, /selftest-i386 and /selftest-x32 (those present) one
 * after the other between "init run" / "init done" marker lines, and powers
 * the machine off.  Everything goes to the serial console. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const programs[] = {"/selftest-x86_64", "/selftest-i386", "/selftest-x32"};

int main(void)
{
    static char buf[1 << 16];
    int fd, pku = 0, ospke = 0, la57 = 0;
    ssize_t n;
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, NULL);
    fd = open("/proc/cpuinfo", O_RDONLY);
    if (fd >= 0 && (n = read(fd, buf, sizeof buf - 1)) > 0) {
        char *flags;
        buf[n] = 0;
        flags = strstr(buf, "\nflags");
        if (flags) {
            char *end = strchr(flags + 1, '\n');
            if (end) *end = 0;
            pku = strstr(flags, " pku") != NULL;
            ospke = strstr(flags, " ospke") != NULL;
            la57 = strstr(flags, " la57") != NULL;   /* 5-level paging (CONFIG_X86_5LEVEL) */
        }
    }
    printf("init cpuinfo pku=%d ospke=%d la57=%d\n", pku, ospke, la57);
    fflush(stdout);
    for (unsigned k = 0; k < sizeof programs / sizeof programs[0]; k++) {
        pid_t pid;
        int status = 0;
        if (access(programs[k], X_OK))
            continue;
        printf("init run %s\n", programs[k]);
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            char *const argv[] = {(char *)programs[k], NULL}, *const envp[] = {NULL};
            execve(programs[k], argv, envp);
            printf("init exec failed %s\n", programs[k]);
            _exit(127);
        }
        waitpid(pid, &status, 0);
        printf("init done %s status=%d\n", programs[k], status);
        fflush(stdout);
    }
    printf("init poweroff\n");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
