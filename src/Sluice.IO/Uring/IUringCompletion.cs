namespace Sluice.IO.Uring;

/// <summary>Something waiting on one or more CQEs of a reactor (a one-shot operation, a multishot accept).</summary>
internal interface IUringCompletion
{
    /// <summary>The reactor this request belongs to.</summary>
    UringReactor Reactor { get; }

    /// <summary>Fills the SQE(s) for this request; called on the reactor thread when there is room.</summary>
    /// <returns>How many SQEs it needs (1, or 2 with a linked timeout).</returns>
    int SqesNeeded { get; }

    /// <summary>
    /// Enter the kernel as soon as the SQE is prepared instead of at the end of the loop turn. Block-device I/O asks
    /// for it: the device starts on a read the moment it gets it, so a read prepared by a completion's continuation
    /// should not wait for the continuations of the rest of the batch (fio submits the same way).
    /// </summary>
    bool SubmitImmediately { get; }

    /// <summary>The user_data of the current submission (set by the reactor; used to cancel it).</summary>
    ulong UserData { get; set; }

    unsafe void Prepare(IoUringSqe* sqe, ulong userData);

    /// <summary>Handles a CQE; returns true when no more CQEs will come for this request.</summary>
    bool OnCompletion(int result, uint flags);

    /// <summary>The reactor is closing and the request never reached the kernel.</summary>
    void OnAbandoned();
}
