namespace FluidSim.Simulation.Tests.Parameters;

public class SimulationParameterTableTests
{
    private static readonly SimulationParameterTable Table = SimulationParameterTable.Default;

    [Fact]
    public void The_default_table_holds_the_parameters_of_simulator_md_in_one_order()
    {
        Assert.Equal(
            ["M_total", "B", "d_0", "d_1", "mode", "queue_policy", "victim_policy", "batch_priority", "L_filter", "swap_time_per_token", "seed", "stall_batches", "rate_scale"],
            Table.All.Select(p => p.Name));
        // The compatibility key comes last in the accepted keys, which messages list.
        Assert.Equal(
            ["M_total", "B", "d_0", "d_1", "mode", "queue_policy", "victim_policy", "L_filter", "swap_time_per_token", "seed", "stall_batches", "rate_scale", "batch_priority"],
            Table.Names);
        Assert.Equal(Table.Names, ParameterKeys.All);
        Assert.Equal(Table.Names.SkipLast(1), Table.Recorded.Select(p => p.Name));
        // Every parameter of job id v1 is in a job id at its default; rate_scale, added later, only when it is not 1.
        Assert.All(Table.Recorded.Where(p => p.Name != "rate_scale"), p => Assert.True(p.InJobIdAtDefault, p.Name));
        Assert.False(Table.Find("rate_scale")!.InJobIdAtDefault);
    }

    [Fact]
    public void Each_parameter_has_its_config_section_column_type_and_range_kind()
    {
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["M_total"] = "system",
                ["B"] = "system",
                ["d_0"] = "system",
                ["d_1"] = "system",
                ["swap_time_per_token"] = "system",
                ["mode"] = "control",
                ["queue_policy"] = "control",
                ["victim_policy"] = "control",
                ["batch_priority"] = "control",
                ["stall_batches"] = "control",
                ["L_filter"] = "data",
                ["rate_scale"] = "data",
                ["seed"] = "experiment",
            },
            Table.All.ToDictionary(p => p.Name, p => p.Section));
        Assert.Equal(
            new Dictionary<string, ParameterColumnType>
            {
                ["M_total"] = ParameterColumnType.Int64,
                ["B"] = ParameterColumnType.Int64,
                ["d_0"] = ParameterColumnType.Double,
                ["d_1"] = ParameterColumnType.Double,
                ["mode"] = ParameterColumnType.String,
                ["queue_policy"] = ParameterColumnType.String,
                ["victim_policy"] = ParameterColumnType.String,
                ["L_filter"] = ParameterColumnType.NullableInt64,
                ["swap_time_per_token"] = ParameterColumnType.Double,
                ["seed"] = ParameterColumnType.Int64,
                ["stall_batches"] = ParameterColumnType.NullableInt64,
                ["rate_scale"] = ParameterColumnType.Double,
            },
            Table.Recorded.ToDictionary(p => p.Name, p => p.ColumnType));
        Assert.Equal(
            ["M_total", "B", "d_0", "d_1", "L_filter", "swap_time_per_token", "seed", "stall_batches", "rate_scale"],
            Table.All.Where(p => p.IsNumeric).Select(p => p.Name));
        Assert.All(Table.All, p => Assert.DoesNotContain('\n', p.Doc));
    }

    [Fact]
    public void The_defaults_are_the_literals_of_simulator_md()
    {
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["M_total"] = "10000",
                ["B"] = "2000",
                ["d_0"] = "1",
                ["d_1"] = "0.001",
                ["mode"] = "swap",
                ["queue_policy"] = "FCFS",
                ["victim_policy"] = "LIFO",
                ["batch_priority"] = "standard",
                ["L_filter"] = "null",
                ["swap_time_per_token"] = "0",
                ["seed"] = "42",
                ["stall_batches"] = "null",
                ["rate_scale"] = "1",
            },
            Table.All.ToDictionary(p => p.Name, p => p.Canonical(Table.Defaults)));
        Assert.Equal(new SimulationParameters(), Table.Defaults);
    }

    [Theory]
    [InlineData("mode", "swapping", "swap")]
    [InlineData("mode", "sacrifice", "recompute")]
    [InlineData("mode", "recompute", "recompute")]
    [InlineData("queue_policy", "fcfs", "FCFS")]
    [InlineData("queue_policy", "sjf", "SJF")]
    [InlineData("queue_policy", "PRIORITY", "priority")]
    [InlineData("victim_policy", "fifo", "FIFO")]
    [InlineData("victim_policy", "lru", "LRU")]
    [InlineData("victim_policy", "RANDOM", "random")]
    [InlineData("L_filter", "~", "null")]
    [InlineData("L_filter", "null", "null")]
    [InlineData("L_filter", "", "null")]
    [InlineData("L_filter", null, "null")]
    [InlineData("L_filter", "0", "0")]
    [InlineData("stall_batches", "~", "null")]
    [InlineData("stall_batches", "7", "7")]
    [InlineData("d_0", "1.0", "1")]
    [InlineData("d_1", "1e-3", "0.001")]
    [InlineData("swap_time_per_token", "0.1", "0.1")]
    [InlineData("seed", "-5", "-5")]
    [InlineData("M_total", "1", "1")]
    [InlineData("batch_priority", "standard", "standard")]
    public void Every_accepted_spelling_reads_to_one_canonical_value(string key, string? raw, string canonical)
    {
        var applied = ParameterBinder.TryApply(new SimulationParameters { LFilter = 3, StallBatches = 3 }, key, raw, out var error);

        Assert.NotNull(applied);
        Assert.Equal("", error);
        Assert.Equal(canonical, Table.Find(key)!.Canonical(applied));
    }

    [Theory]
    [InlineData("M_total", "0", "expected an integer >= 1, got '0'")]
    [InlineData("M_total", null, "expected an integer >= 1, got 'null'")]
    [InlineData("M_total", "~", "expected an integer >= 1, got '~'")]
    [InlineData("B", "1.5", "expected an integer >= 1, got '1.5'")]
    [InlineData("d_0", "-1", "expected a finite number >= 0, got '-1'")]
    [InlineData("d_1", "NaN", "expected a finite number >= 0, got 'NaN'")]
    [InlineData("swap_time_per_token", "Infinity", "expected a finite number >= 0, got 'Infinity'")]
    [InlineData("d_0", null, "expected a finite number >= 0, got 'null'")]
    [InlineData("seed", "1.5", "expected an integer, got '1.5'")]
    [InlineData("seed", null, "expected an integer, got ''")]
    [InlineData("L_filter", "-1", "expected an integer >= 0, got '-1'")]
    [InlineData("stall_batches", "0", "expected an integer >= 1, got '0'")]
    [InlineData("rate_scale", "0", "expected a finite number > 0, got '0'")]
    [InlineData("rate_scale", "-2", "expected a finite number > 0, got '-2'")]
    [InlineData("mode", "Swap", "unknown mode 'Swap'; expected swap or recompute (aliases swapping, sacrifice)")]
    [InlineData("mode", null, "unknown mode ''; expected swap or recompute (aliases swapping, sacrifice)")]
    [InlineData("queue_policy", "Fcfs", "unknown queue_policy 'Fcfs'; expected FCFS, SJF or priority")]
    [InlineData("victim_policy", "MRU", "unknown victim_policy 'MRU'; expected LIFO, FIFO, LRU or random")]
    [InlineData("batch_priority", "fastest", "'fastest' is not supported; the only batch priority is 'standard'")]
    [InlineData("M_totl", "5", "unknown parameter 'M_totl' (did you mean 'M_total'?)")]
    [InlineData("max_running", "5", "unknown parameter 'max_running'")]
    public void A_bad_value_is_refused_with_what_is_wrong(string key, string? raw, string message)
    {
        Assert.Null(ParameterBinder.TryApply(new SimulationParameters(), key, raw, out var error));
        Assert.Equal(message, error);
    }

    private static readonly SimulationParameters Changed = new()
    {
        MTotal = 1234,
        B = 56,
        D0 = 0.1 + 0.2,
        D1 = 1e-7,
        Mode = PreemptionMode.Recompute,
        QueuePolicy = QueuePolicy.Priority,
        VictimPolicy = VictimPolicy.Random,
        LFilter = 0,
        SwapTimePerToken = 2,
        Seed = -5,
        StallBatches = 9,
        RateScale = 2.5,
    };

    [Fact]
    public void Every_parameter_reads_back_its_canonical_text_and_its_config_text()
    {
        var fromCanonical = Table.Defaults;
        var fromConfig = Table.Defaults;
        foreach (var parameter in Table.All)
        {
            fromCanonical = parameter.TryApply(fromCanonical, parameter.Canonical(Changed), out var error) ?? throw new InvalidOperationException(error);
            fromConfig = parameter.TryApply(fromConfig, parameter.ConfigText(Changed), out error) ?? throw new InvalidOperationException(error);
        }

        Assert.Equal(Changed, fromCanonical);
        Assert.Equal(Changed, fromConfig);
        Assert.NotEqual(Table.Defaults, Changed);
    }

    [Fact]
    public void The_three_text_forms_and_the_column_value_of_each_kind()
    {
        string Forms(string key, SimulationParameters p)
        {
            var d = Table.Find(key)!;
            return $"{d.Canonical(p)} | {d.ConfigText(p)} | {d.Display(p)} | {d.ColumnValue(p) ?? "(null)"}:{d.ColumnValue(p)?.GetType().Name}";
        }

        var p = Changed with { MTotal = 1234567, D0 = 12345.678912 };
        Assert.Equal("1234567 | 1234567 | 1,234,567 | 1234567:Int64", Forms("M_total", p));
        Assert.Equal("12345.678912 | 12345.678912 | 12,345.6789 | 12345.678912:Double", Forms("d_0", p));
        Assert.Equal("1E-07 | 1E-07 | 0 | 1E-07:Double", Forms("d_1", p));
        Assert.Equal("2 | 2.0 | 2 | 2:Double", Forms("swap_time_per_token", p));
        Assert.Equal("recompute | recompute | recompute | recompute:String", Forms("mode", p));
        Assert.Equal("0 | 0 | 0 | 0:Int64", Forms("L_filter", p));
        Assert.Equal("null | null | null (keep all) | (null):", Forms("L_filter", Table.Defaults));
        Assert.Equal("null | null | null (10 * max(decode_length) + 1000) | (null):", Forms("stall_batches", Table.Defaults));
        Assert.Equal("-12345 | -12345 | -12345 | -12345:Int64", Forms("seed", p with { Seed = -12345 }));
    }

    [Fact]
    public void Every_enum_value_has_one_name_that_reads_back()
    {
        foreach (var mode in Enum.GetValues<PreemptionMode>())
        {
            Assert.Equal(mode, ParameterBinder.TryApply(new SimulationParameters(), "mode", ParameterBinder.Format(mode), out _)!.Mode);
        }
        foreach (var policy in Enum.GetValues<QueuePolicy>())
        {
            Assert.Equal(policy, ParameterBinder.TryApply(new SimulationParameters(), "queue_policy", ParameterBinder.Format(policy), out _)!.QueuePolicy);
        }
        foreach (var policy in Enum.GetValues<VictimPolicy>())
        {
            Assert.Equal(policy, ParameterBinder.TryApply(new SimulationParameters(), "victim_policy", ParameterBinder.Format(policy), out _)!.VictimPolicy);
        }
        Assert.Equal(["swap", "recompute"], Enum.GetValues<PreemptionMode>().Select(ParameterBinder.Format));
        Assert.Equal(["FCFS", "SJF", "priority"], Enum.GetValues<QueuePolicy>().Select(ParameterBinder.Format));
        Assert.Equal(["LIFO", "FIFO", "LRU", "random"], Enum.GetValues<VictimPolicy>().Select(ParameterBinder.Format));
    }

    [Fact]
    public void Problems_name_every_value_out_of_range_in_table_order()
    {
        var p = new SimulationParameters
        {
            MTotal = 0,
            B = -1,
            D0 = double.NaN,
            D1 = -0.5,
            LFilter = -1,
            SwapTimePerToken = double.PositiveInfinity,
            StallBatches = 0,
            RateScale = 0,
        };

        Assert.Equal(
            [
                ("M_total", "must be an integer >= 1"),
                ("B", "must be an integer >= 1"),
                ("d_0", "must be a finite number >= 0"),
                ("d_1", "must be a finite number >= 0"),
                ("L_filter", "must be an integer >= 0 or null"),
                ("swap_time_per_token", "must be a finite number >= 0"),
                ("stall_batches", "must be an integer >= 1 or null"),
                ("rate_scale", "must be a finite number > 0"),
            ],
            p.Problems());
        Assert.Empty(Changed.Problems());
        Assert.Equal("M_total: must be an integer >= 1", Assert.Throws<ArgumentException>(p.Validate).Message);
    }

    [Fact]
    public void A_table_refuses_a_name_given_twice()
    {
        var e = Assert.Throws<ArgumentException>(() => Table.With(Table.Find("B")!));
        Assert.StartsWith("parameter 'B' appears twice", e.Message, StringComparison.Ordinal);
    }

    // ---- CONTRIBUTING.md's recipe, followed once: a test-only table with one more parameter.

    [Fact]
    public void An_added_parameter_is_read_checked_and_formatted_like_the_others()
    {
        var table = MaxRunningParameter.Table;

        Assert.Equal([.. Table.Names.SkipLast(1), "max_running", "batch_priority"], table.Names);
        Assert.Equal(64, ((ParametersWithMaxRunning)table.Defaults).MaxRunning);

        var p = ParameterBinder.TryApply(table, table.Defaults, "max_running", "8", out var error);
        Assert.Equal("", error);
        var read = Assert.IsType<ParametersWithMaxRunning>(p);
        Assert.Equal(8, read.MaxRunning);
        // The simulator's parameters keep their defaults.
        Assert.Equal(Table.All.Select(d => d.Canonical(Table.Defaults)), Table.All.Select(d => d.Canonical(read)));
        // Setting another parameter keeps the added one: `with` copies the derived record.
        var both = Assert.IsType<ParametersWithMaxRunning>(ParameterBinder.TryApply(table, read, "M_total", "500", out _));
        Assert.Equal((500, 8), (both.MTotal, both.MaxRunning));

        Assert.Null(ParameterBinder.TryApply(table, table.Defaults, "max_running", "0", out error));
        Assert.Equal("expected an integer >= 1, got '0'", error);
        Assert.Null(ParameterBinder.TryApply(table, table.Defaults, "max_runing", "5", out error));
        Assert.Equal("unknown parameter 'max_runing' (did you mean 'max_running'?)", error);

        Assert.Equal([("max_running", "must be an integer >= 1")], table.Problems(read with { MaxRunning = 0 }));
        Assert.Empty(table.Problems(read));

        var descriptor = table.Find("max_running")!;
        Assert.Equal(("8", "8", "8", (object)8L), (descriptor.Canonical(read), descriptor.ConfigText(read), descriptor.Display(read), descriptor.ColumnValue(read)!));
        Assert.True(descriptor.IsNumeric);
        Assert.Equal(ParameterColumnType.Int64, descriptor.ColumnType);
    }

    [Fact]
    public void An_added_parameter_enters_the_job_id_only_when_it_leaves_its_default()
    {
        var table = MaxRunningParameter.Table;
        var descriptor = table.Find("max_running")!;
        var atDefault = table.Defaults;
        var changed = ((ParametersWithMaxRunning)atDefault) with { MaxRunning = 8 };

        Assert.False(table.InJobId(descriptor, atDefault));
        Assert.True(table.InJobId(descriptor, changed));
        // The parameters of job id v1 are always there; the compatibility key never is.
        Assert.True(table.InJobId(table.Find("M_total")!, atDefault));
        Assert.False(table.InJobId(table.Find("batch_priority")!, atDefault));
    }
}
