namespace CniDashboard.Server.Audit;

/// <summary>
/// An audit entry could not be written, so the change it records must not happen (fail closed). The
/// API answers 503 with this message; the cause is kept as the inner exception.
/// </summary>
public sealed class AuditWriteException(string action, Exception inner)
    : Exception($"The audit log could not record '{action}', so it was not done: {inner.Message}", inner)
{
    /// <summary>The action that was refused.</summary>
    public string Action { get; } = action;
}
