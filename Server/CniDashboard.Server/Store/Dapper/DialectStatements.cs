using System.Data.Common;
using System.Reflection;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Helpers the dialects share: optional statements, and rows passed as column arrays.</summary>
internal static class DialectStatements
{
    /// <summary>
    /// One array per public property of <typeparamref name="T"/>, named after it, for statements that
    /// <c>unnest</c> whole columns (Dapper passes arrays to Npgsql as array parameters).
    /// </summary>
    public static DynamicParameters Columns<T>(IReadOnlyList<T> rows)
    {
        var args = new DynamicParameters();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var column = Array.CreateInstance(property.PropertyType, rows.Count);
            for (var i = 0; i < rows.Count; i++) column.SetValue(property.GetValue(rows[i]), i);
            args.Add(property.Name, column);
        }

        return args;
    }

    /// <summary>Runs <paramref name="sql"/> in <paramref name="transaction"/> unless it is empty.</summary>
    public static Task RunIfAnyAsync(this DbConnection connection, string sql, DbTransaction transaction, CancellationToken cancellationToken, object? args = null) =>
        sql.Length == 0
            ? Task.CompletedTask
            : connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: cancellationToken));
}
