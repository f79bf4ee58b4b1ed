using System.Data.Common;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Runs a dialect's optional statement (a lock most often); an engine that needs none leaves it empty.</summary>
internal static class DialectStatements
{
    /// <summary>Runs <paramref name="sql"/> in <paramref name="transaction"/> unless it is empty.</summary>
    public static Task RunIfAnyAsync(this DbConnection connection, string sql, DbTransaction transaction, CancellationToken cancellationToken, object? args = null) =>
        sql.Length == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: cancellationToken));
}
