namespace CniDashboard.Server.Store;

/// <summary>
/// The transaction-scoped advisory locks the PostgreSQL dialects take (<c>pg_advisory_xact_lock</c>):
/// released at commit or rollback, never left behind by a crashed process, and taken before the
/// rows they protect are read. The keys are fixed numbers only this store uses.
/// </summary>
public static class PostgresLocks
{
    /// <summary>Audit appenders, one at a time: the head read is still the head at the insert.</summary>
    public const long AuditChain = 0x434E_4944_0001;

    /// <summary>Shared by ingests that reference blobs, exclusive for retention deleting unreferenced ones.</summary>
    public const long Blobs = 0x434E_4944_0002;

    /// <summary>Sandbox event writers, one at a time: read-then-insert per uid stays exact.</summary>
    public const long SandboxEvents = 0x434E_4944_0003;

    /// <summary>Migrations, one process at a time (a session lock held while DbUp runs).</summary>
    public const long Migrations = 0x434E_4944_0004;

    /// <summary>First half of the two-key lock on one setting's name (the second is <c>hashtext(name)</c>).</summary>
    public const int Settings = 0x434E_0005;
}
