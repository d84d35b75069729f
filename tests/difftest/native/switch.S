/* Native runner: the switch into and out of a test sequence (32-bit, AT&T syntax).
 *
 * dt_enter()    saves the runner's registers, loads the x87 image, EFLAGS and all eight GPRs
 *               of the test case (ESP last), and jumps to DT_CODE_ADDR.
 * dt_epilogue   is the target of the jump appended after the sequence: it saves ESP, moves to
 *               a private stack, saves EFLAGS, the other GPRs and the x87 state (FNSAVE), then
 *               returns from dt_enter(). No instruction before the saves changes flags or
 *               registers, and nothing touches the test's data page. */
        .text
        .globl  dt_enter
        .globl  dt_epilogue

dt_enter:
        pushal
        movl    %esp, dt_runner_esp
        frstor  dt_in_fpu
        pushl   dt_in_eflags
        popfl
        movl    dt_in_gpr+0,  %eax
        movl    dt_in_gpr+4,  %ecx
        movl    dt_in_gpr+8,  %edx
        movl    dt_in_gpr+12, %ebx
        movl    dt_in_gpr+20, %ebp
        movl    dt_in_gpr+24, %esi
        movl    dt_in_gpr+28, %edi
        movl    dt_in_gpr+16, %esp
        jmp     *dt_code_entry

dt_epilogue:
        movl    %esp, dt_out_gpr+16
        movl    $dt_epilogue_stack_top, %esp
        pushfl
        popl    dt_out_eflags
        movl    %eax, dt_out_gpr+0
        movl    %ecx, dt_out_gpr+4
        movl    %edx, dt_out_gpr+8
        movl    %ebx, dt_out_gpr+12
        movl    %ebp, dt_out_gpr+20
        movl    %esi, dt_out_gpr+24
        movl    %edi, dt_out_gpr+28
        fnsave  dt_out_fpu
        cld
        movl    dt_runner_esp, %esp
        popal
        ret

        .bss
        .balign 16
dt_epilogue_stack:
        .skip   64
dt_epilogue_stack_top:

        .section .note.GNU-stack,"",@progbits
