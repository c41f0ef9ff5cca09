package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.BpfHelper;
import io.cellos.telemetry.guest.linux.EbpfProgram;
import io.cellos.telemetry.guest.linux.EbpfProgram.Size;
import io.cellos.telemetry.guest.linux.TraceEvent;

import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.EQ;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.LE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.Compare.NE;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R0;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R1;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R10;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R2;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R3;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R6;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R7;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R8;
import static io.cellos.telemetry.guest.linux.EbpfProgram.R9;

/**
 * The three tracepoint programs of the eBPF process probe, and the record they write to the ring
 * buffer. Each program filters out threads, counts the event as seen, reserves a record (or, when
 * the ring is full, counts the event lost), fills it and submits it:
 * <ul>
 * <li>{@code task/task_newtask} ({@link #fork}): a new task that is not a thread ({@code CLONE_THREAD}
 *     clear in its clone flags: {@code sched_process_fork} does not say); the child's pid, the
 *     forking process as parent;
 * <li>{@code sched/sched_process_exec} ({@link #exec}): the program's file name as {@code execve}
 *     got it ({@code bprm->filename}: for a script, the script's path), up to {@value #PATH_BYTES}
 *     bytes with its NUL; and the new program's argument area as the kernel laid it out
 *     ({@code current->mm->arg_start} to {@code arg_end}: for a script, the interpreter's command
 *     line with the script's path in it), up to {@value #ARGS_BYTES} bytes — read at the exec, before
 *     the program runs and can rewrite it; and what keys the executed file's hash, from its inode
 *     ({@code current->mm->exe_file->f_inode}: device, inode number, size, change time, links), so
 *     that a known program is recognised by what the kernel ran, whatever the process does next;
 * <li>{@code sched/sched_process_exit} ({@link #exit}): the last thread of a process ended
 *     ({@code group_dead}; on kernels without the field, the thread-group leader ended), with its
 *     wait status ({@code current->exit_code}, which {@code do_exit} sets before the tracepoint).
 * </ul>
 * Members of kernel structures are read at the offsets the running kernel's BTF gives
 * ({@link KernelLayout}).
 *
 * <p>Record, little-endian, 8-byte aligned: the {@link RecordHeader} (kind {@link #FORK},
 * {@link #EXEC} or {@link #EXIT}; pid the process, in the initial PID namespace: fork, the child;
 * comm the current thread's name: fork, the parent's, which the child inherits; exec, the new
 * program's; exit, the last thread's), then:
 * <pre>
 *  32  u32  other       fork: the parent process; exit: the thread that ended last; exec: unset
 *  36  s32  detail      exec: the file name's length with its NUL, or a negative errno;
 *                       exit: the wait status, or -1 if it could not be read; fork: unset
 *  40  u32  args_total  exec only: the argument area's size in bytes, its NULs included
 *  44  s32  args_len    exec only: the bytes of it copied to args, or a negative errno
 *  48  s32  file        exec only: 0 when the executed file's members below were read; else a
 *                       negative errno (-EOPNOTSUPP: this kernel's layout is not one the program reads)
 *  52  u32  dev         the file's device, the kernel's dev_t (i_sb->s_dev)
 *  56  u64  ino         i_ino
 *  64  u64  size        i_size
 *  72  u64  ctime_sec   the change time
 *  80  u32  ctime_nsec  as the inode holds it: since Linux 6.13 its top bit says the time was queried
 *  84  u32  links       i_nlink: 0 for a deleted file or a memfd
 *  88  char path[{@value #PATH_BYTES}]
 * 600  char args[{@value #ARGS_BYTES}]   NUL-separated arguments, cut at args_len
 * </pre>
 * A fork or exit record ends at {@value #RECORD_BYTES}; an exec record at {@value #EXEC_RECORD_BYTES}.
 *
 * <p>Counters: the {@link CountedRing}'s; {@code seen == delivered + lost}, as every event seen is
 * either reserved or lost.
 */
final class ProcessPrograms {
    static final int FORK = 1;
    static final int EXEC = 2;
    static final int EXIT = 3;
    static final int OTHER = RecordHeader.BYTES;
    static final int DETAIL = OTHER + 4;
    /** The size of a fork or exit record. */
    static final int RECORD_BYTES = DETAIL + 4;
    static final int ARGS_TOTAL = 40;
    static final int ARGS_LENGTH = 44;
    static final int FILE = 48;
    static final int FILE_DEV = 52;
    static final int FILE_INO = 56;
    static final int FILE_SIZE = 64;
    static final int FILE_CTIME_SEC = 72;
    static final int FILE_CTIME_NSEC = 80;
    static final int FILE_LINKS = 84;
    static final int PATH = 88;
    static final int PATH_BYTES = 512;
    static final int ARGS = PATH + PATH_BYTES;
    static final int ARGS_BYTES = 1024;
    /** The size of an exec record. */
    static final int EXEC_RECORD_BYTES = ARGS + ARGS_BYTES;
    /** {@code CLONE_THREAD}, {@code <linux/sched.h>}. */
    private static final int CLONE_THREAD = 0x10000;
    private static final String OUT = "out";
    private static final String OUT_SUBMIT = "submit";
    /** {@code EFAULT}: what a record says of arguments or a file it could not reach. */
    private static final int EFAULT = 14;
    /** {@code EOPNOTSUPP}: what a record says of a file whose inode this kernel's layout does not let it read. */
    private static final int EOPNOTSUPP = 95;

    /**
     * Stack slots below {@code r10}, under the ring's key: the task's {@code mm}, its argument area's
     * bounds, a pointer on the way to the executed file's inode.
     */
    private static final int MM = -16;
    private static final int ARG_BOUNDS = -32;
    private static final int POINTER = -40;

    private final CountedRing ring;
    private final KernelLayout kernel;

    /**
     * @param ring   where records go
     * @param kernel where this kernel keeps the members the programs read
     */
    ProcessPrograms(CountedRing ring, KernelLayout kernel) {
        this.ring = ring;
        this.kernel = kernel;
    }

    /** On {@code task/task_newtask}: a new process. */
    EbpfProgram fork(TraceEvent tp) {
        EbpfProgram p = new EbpfProgram()
                .mov(R6, R1)                                                  // r6 = the tracepoint's record
                .load(Size.DW, R1, R6, tp.field("clone_flags", 8).offset())   // r1 = clone_flags
                .andImm(R1, CLONE_THREAD)
                .jumpIf(R1, NE, 0, OUT);                                      // a thread: not a process
        ring.reserve(p, FORK, RECORD_BYTES, OUT);
        return ring.submit(p
                .load(Size.W, R1, R7, RecordHeader.PID)                       // the forking process is the parent
                .store(Size.W, R7, OTHER, R1)
                .load(Size.W, R1, R6, tp.field("pid", 4).offset())            // r1 = the child's pid
                .store(Size.W, R7, RecordHeader.PID, R1), OUT, 0);
    }

    /** On {@code sched/sched_process_exec}: a process runs a new program. */
    EbpfProgram exec(TraceEvent tp) {
        EbpfProgram p = new EbpfProgram()
                .mov(R6, R1);                                                 // r6 = the tracepoint's record
        ring.reserve(p, EXEC, EXEC_RECORD_BYTES, OUT);                        // the exec made its thread the leader: pid
        p.load(Size.W, R3, R6, tp.field("filename", 4).offset())              // r3 = __data_loc: length << 16 | offset
                .andImm(R3, 0xffff)                                           // r3 = the offset in the record
                .addReg(R3, R6)                                               // r3 = the file name
                .mov(R1, R7)
                .addImm(R1, PATH)                                             // r1 = the record's path
                .movImm(R2, PATH_BYTES)                                       // r2 = its room, NUL included
                .call(BpfHelper.PROBE_READ_KERNEL_STR)
                .store(Size.W, R7, DETAIL, R0);                               // length with NUL, or -errno
        return ring.submit(executedFile(arguments(p)), OUT, 0);
    }

    /**
     * Copies into the record in {@code r7} what keys the executed file: from {@code current->mm}
     * (which {@link #arguments} left at {@code [MM]}, 0 if it had none), {@code ->exe_file->f_inode},
     * then the inode's number, size, change time and links, and its super block's device. The
     * record's {@code file} says whether all of it was read.
     */
    private EbpfProgram executedFile(EbpfProgram p) {
        KernelLayout.ExecutableLayout f = kernel.executable().layout();
        if (f == null) {
            return p.storeImm(Size.W, R7, FILE, -EOPNOTSUPP);
        }
        String done = "file_done";
        p.storeImm(Size.W, R7, FILE, -EFAULT)                                   // until every read succeeded
                .load(Size.DW, R8, R10, MM)                                   // r8 = current->mm
                .jumpIf(R8, EQ, 0, done);
        pointer(p, f.mmExeFile(), done);                                      // r8 = mm->exe_file
        pointer(p, f.fileInode(), done);                                      // r8 = file->f_inode: the inode
        copy(p, FILE_INO, 8, f.inodeIno(), done);
        copy(p, FILE_SIZE, 8, f.inodeSize(), done);
        copy(p, FILE_CTIME_SEC, 8, f.ctimeSec(), done);
        copy(p, FILE_CTIME_NSEC, 4, f.ctimeNsec(), done);
        copy(p, FILE_LINKS, 4, f.inodeLinks(), done);
        pointer(p, f.inodeSb(), done);                                        // r8 = inode->i_sb
        copy(p, FILE_DEV, 4, f.sbDev(), done);
        return p.storeImm(Size.W, R7, FILE, 0)                                // all read
                .label(done);
    }

    /** {@code r8 = *(r8 + offset)}, a kernel pointer; to {@code fail} if it cannot be read or is null. */
    private static void pointer(EbpfProgram p, int offset, String fail) {
        p.mov(R3, R8)
                .addImm(R3, offset)
                .mov(R1, R10)
                .addImm(R1, POINTER)
                .movImm(R2, 8)
                .call(BpfHelper.PROBE_READ_KERNEL)
                .jumpIf(R0, NE, 0, fail)
                .load(Size.DW, R8, R10, POINTER)
                .jumpIf(R8, EQ, 0, fail);
    }

    /** Copies {@code bytes} from {@code r8 + offset} in the kernel to the record at {@code at}; to {@code fail} if it cannot. */
    private static void copy(EbpfProgram p, int at, int bytes, int offset, String fail) {
        p.mov(R3, R8)
                .addImm(R3, offset)
                .mov(R1, R7)
                .addImm(R1, at)
                .movImm(R2, bytes)
                .call(BpfHelper.PROBE_READ_KERNEL)
                .jumpIf(R0, NE, 0, fail);
    }

    /**
     * Copies the new program's argument area into the record in {@code r7}: {@code current->mm},
     * then its {@code arg_start} and {@code arg_end} (adjacent, read as one), then at most
     * {@value #ARGS_BYTES} bytes of user memory from {@code arg_start}.
     */
    private EbpfProgram arguments(EbpfProgram p) {
        return p.storeImm(Size.W, R7, ARGS_TOTAL, 0)
                .storeImm(Size.W, R7, ARGS_LENGTH, -EFAULT)                   // until the copy says otherwise
                .call(BpfHelper.GET_CURRENT_TASK)
                .mov(R3, R0)
                .addImm(R3, kernel.taskMm())                                  // r3 = &current->mm
                .mov(R1, R10)
                .addImm(R1, MM)
                .movImm(R2, 8)
                .call(BpfHelper.PROBE_READ_KERNEL)                            // [MM] = current->mm (0 if unreadable)
                .load(Size.DW, R3, R10, MM)
                .jumpIf(R3, EQ, 0, "args_done")                               // no memory map: nothing to copy
                .addImm(R3, kernel.mmArgStart())                              // r3 = &mm->arg_start
                .mov(R1, R10)
                .addImm(R1, ARG_BOUNDS)
                .movImm(R2, 16)
                .call(BpfHelper.PROBE_READ_KERNEL)                            // [ARG_BOUNDS] = arg_start, arg_end
                .jumpIf(R0, NE, 0, "args_done")
                .load(Size.DW, R8, R10, ARG_BOUNDS)                           // r8 = arg_start
                .load(Size.DW, R2, R10, ARG_BOUNDS + 8)                       // r2 = arg_end
                .subReg(R2, R8)                                               // r2 = the area's size
                .store(Size.W, R7, ARGS_TOTAL, R2)
                .jumpIf(R2, LE, ARGS_BYTES, "args_fit")                       // unsigned: a bound the verifier sees
                .movImm(R2, ARGS_BYTES)                                       // cut: the record has this much room
                .label("args_fit")
                .mov(R9, R2)                                                  // r9 = the bytes to copy
                .mov(R1, R7)
                .addImm(R1, ARGS)                                             // r1 = the record's args
                .mov(R3, R8)
                .call(BpfHelper.PROBE_READ_USER)
                .store(Size.W, R7, ARGS_LENGTH, R0)                           // -errno if it failed
                .jumpIf(R0, NE, 0, "args_done")
                .store(Size.W, R7, ARGS_LENGTH, R9)                           // the bytes copied
                .label("args_done");
    }

    /** On {@code sched/sched_process_exit}: a process ended. */
    EbpfProgram exit(TraceEvent tp) {
        EbpfProgram p = new EbpfProgram()
                .mov(R6, R1);                                                 // r6 = the tracepoint's record
        if (tp.has("group_dead")) {
            p.load(Size.B, R1, R6, tp.field("group_dead", 1).offset())        // r1 = the last thread of its process
                    .jumpIf(R1, EQ, 0, OUT);                                  // other threads live on
        } else {
            p.call(BpfHelper.GET_CURRENT_PID_TGID)
                    .mov(R1, R0)
                    .rshImm(R1, 32)                                           // r1 = tgid
                    .load(Size.W, R2, R6, tp.field("pid", 4).offset())        // r2 = the ending thread
                    .jumpIfReg(R1, NE, R2, OUT);                              // not the leader
        }
        ring.reserve(p, EXIT, RECORD_BYTES, OUT);
        return ring.submit(p
                .call(BpfHelper.GET_CURRENT_PID_TGID)
                .store(Size.W, R7, OTHER, R0)                                 // the low half: the thread that ended
                .call(BpfHelper.GET_CURRENT_TASK)
                .mov(R3, R0)
                .addImm(R3, kernel.taskExitCode())                            // r3 = &current->exit_code
                .mov(R1, R7)
                .addImm(R1, DETAIL)
                .movImm(R2, 4)
                .call(BpfHelper.PROBE_READ_KERNEL)                            // detail = the wait status
                .jumpIf(R0, EQ, 0, OUT_SUBMIT)
                .storeImm(Size.W, R7, DETAIL, -1)                             // unreadable: not known
                .label(OUT_SUBMIT), OUT, 0);
    }
}
