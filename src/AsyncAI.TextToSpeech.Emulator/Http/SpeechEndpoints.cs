using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.AspNetCore.Http;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>The three HTTP TTS endpoints.</summary>
internal sealed partial class EmulatorServer
{
    private static readonly byte[] QuotaMarker = System.Text.Encoding.ASCII.GetBytes(AsyncAIErrorCodes.QuotaExceededMarker);

    private (long Samples, int SamplesPerCharacter) Measure(SpeechRequest speech)
    {
        var perCharacter = EmulatorAudio.SamplesPerCharacter(speech.Format.SampleRate, _options.SecondsPerCharacter);
        return ((long)EmulatorAudio.CountAudibleCharacters(speech.Transcript) * perCharacter, perCharacter);
    }

    /// <summary>The largest whole-body response (sync and timestamps build it in memory); longer text gets a 400.</summary>
    internal const long MaxWholeBodyBytes = 256L * 1024 * 1024;

    /// <summary>Gets the audio bytes for <paramref name="samples"/> samples (no container header): PCM samples or whole mp3 frames.</summary>
    private static long AudioBytes(AudioFormat format, long samples)
    {
        if (!format.IsMp3)
        {
            return samples * format.BytesPerSample;
        }

        var mp3 = format.Mp3;
        return mp3.ByteOffset(mp3.FrameCount(samples));
    }

    private ApiError? CheckWholeBodySize(SpeechRequest speech)
    {
        var (samples, _) = Measure(speech);
        return AudioBytes(speech.Format, samples) > MaxWholeBodyBytes
            ? ApiError.Validation(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The transcript would produce more than {MaxWholeBodyBytes / (1024 * 1024)} MiB of audio; use /text_to_speech/streaming or shorter text."),
                "transcript")
            : null;
    }

    private byte[] RenderWhole(SpeechRequest speech, out int length)
    {
        var (samples, _) = Measure(speech);
        var format = speech.Format;
        var header = format.Container == AudioContainers.Wav ? WavHeader.Size : 0;
        var dataBytes = checked((int)AudioBytes(format, samples));
        length = header + dataBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        if (header > 0)
        {
            WavHeader.Write(buffer, format, dataBytes);
        }

        if (format.IsMp3)
        {
            var mp3 = format.Mp3;
            mp3.Write(buffer, 0, (int)mp3.FrameCount(samples));
        }
        else
        {
            ToneSynthesizer.Write(buffer.AsSpan(header), format.SampleEncoding, ToneSynthesizer.PhaseOf(speech.Transcript),
                ToneSynthesizer.StepOf(format.SampleRate), 0, (int)samples);
        }

        return buffer;
    }

    private async Task SynthesizeWholeAsync(HttpContext http, SpeechRequest speech)
    {
        if (CheckWholeBodySize(speech) is { } tooLarge)
        {
            await WriteErrorAsync(http, tooLarge);
            return;
        }

        var buffer = RenderWhole(speech, out var length);
        try
        {
            await Task.Delay(_options.TimeToFirstAudio, _stopping.Token);
            http.Response.StatusCode = 200;
            http.Response.ContentType = speech.Format.Container switch
            {
                AudioContainers.Wav => "audio/wav",
                AudioContainers.Mp3 => "audio/mpeg",
                _ => "application/octet-stream",
            };
            http.Response.ContentLength = length;
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, length), _stopping.Token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SynthesizeWithTimestampsAsync(HttpContext http, SpeechRequest speech)
    {
        if (CheckWholeBodySize(speech) is { } tooLarge)
        {
            await WriteErrorAsync(http, tooLarge);
            return;
        }

        var buffer = RenderWhole(speech, out var length);
        try
        {
            var (_, perCharacter) = Measure(speech);
            var rate = (double)speech.Format.SampleRate;
            using var output = new PooledBufferWriter(Base64Length(length) + 1024);
            using (var writer = new Utf8JsonWriter(output))
            {
                writer.WriteStartObject();
                writer.WriteBase64String("audio_base64", buffer.AsSpan(0, length));
                writer.WriteStartObject("alignment");
                var words = speech.Transcript.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                writer.WriteStartArray("words");
                foreach (var word in words)
                {
                    writer.WriteStringValue(word);
                }

                writer.WriteEndArray();
                var starts = new double[words.Length];
                var ends = new double[words.Length];
                long position = 0;
                for (var i = 0; i < words.Length; i++)
                {
                    starts[i] = Math.Round(position * 1000.0 / rate, 3);
                    position += (long)EmulatorAudio.CountAudibleCharacters(words[i]) * perCharacter;
                    ends[i] = Math.Round(position * 1000.0 / rate, 3);
                }

                writer.WriteStartArray("word_start_times_milliseconds");
                foreach (var start in starts)
                {
                    writer.WriteNumberValue(start);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("word_end_times_milliseconds");
                foreach (var end in ends)
                {
                    writer.WriteNumberValue(end);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            await Task.Delay(_options.TimeToFirstAudio, _stopping.Token);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = output.WrittenSpan.Length;
            await http.Response.Body.WriteAsync(output.WrittenMemory, _stopping.Token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task StreamAsync(HttpContext http, SpeechRequest speech, FaultSet faults)
    {
        // A client that goes away must stop the generation at once, as the real service would,
        // or a load test keeps the emulator writing (and pacing) audio nobody reads.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, http.RequestAborted);
        var aborted = linked.Token;
        var format = speech.Format;
        var (samples, _) = Measure(speech);
        var chunkSamples = Math.Max(1, (int)Math.Round(_options.ChunkDuration.TotalSeconds * format.SampleRate));
        var phase = ToneSynthesizer.PhaseOf(speech.Transcript);
        var step = ToneSynthesizer.StepOf(format.SampleRate);
        var quota = faults.QuotaAfterBytes;
        var writeSize = faults.HttpChunkBytes;

        // mp3 goes out as whole frames: each chunk carries the frames its audio completed (none while a frame is still
        // filling), and the last chunk the rest, rounded up to a whole frame. At most two frames more than fit in a chunk.
        var mp3 = format.IsMp3 ? format.Mp3 : default;
        var totalFrames = format.IsMp3 ? mp3.FrameCount(samples) : 0;
        long framesSent = 0;
        var chunkBytes = format.IsMp3
            ? ((chunkSamples / mp3.SamplesPerFrame) + 2) * mp3.MaxFrameLength
            : chunkSamples * format.BytesPerSample;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes + (writeSize ?? 0) + 64);
        var pending = 0; // bytes held back to make http-chunk writes exactly writeSize long
        long sent = 0;
        try
        {
            await Task.Delay(_options.TimeToFirstAudio, aborted);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/octet-stream";
            await http.Response.StartAsync(aborted);

            var due = Stopwatch.GetTimestamp();
            for (long produced = 0; produced < samples;)
            {
                var count = (int)Math.Min(chunkSamples, samples - produced);
                int bytes;
                if (format.IsMp3)
                {
                    var framesDone = produced + count == samples ? totalFrames : (produced + count) / mp3.SamplesPerFrame;
                    bytes = mp3.Write(buffer.AsSpan(pending), framesSent, (int)(framesDone - framesSent));
                    framesSent = framesDone;
                }
                else
                {
                    bytes = ToneSynthesizer.Write(buffer.AsSpan(pending), format.SampleEncoding, phase, step, produced, count);
                }

                produced += count;
                var available = pending + bytes;

                if (quota is { } q && sent + available >= q)
                {
                    await WriteQuotaEndAsync(http, buffer, (int)(q - sent), writeSize, aborted);
                    return;
                }

                var toWrite = writeSize is { } size ? available / size * size : available;
                if (toWrite > 0)
                {
                    if (writeSize is { } w)
                    {
                        await WriteChunkedAsync(http, buffer.AsMemory(0, toWrite), w, aborted);
                    }
                    else
                    {
                        await http.Response.Body.WriteAsync(buffer.AsMemory(0, toWrite), aborted);
                        await http.Response.Body.FlushAsync(aborted);
                    }

                    sent += toWrite;
                }

                pending = available - toWrite;
                buffer.AsSpan(toWrite, pending).CopyTo(buffer);

                var pacing = _options.PacingRate;
                if (pacing > 0)
                {
                    due += (long)(count * (double)Stopwatch.Frequency / format.SampleRate / pacing);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, aborted);
                    }
                }
            }

            // No quota check here: the loop checked sent + pending + the last chunk, which is all there is.
            if (pending > 0)
            {
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, pending), aborted);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Ends a quota-faulted stream: the first <paramref name="allowed"/> bytes of <paramref name="buffer"/>, then the
    /// marker. With <c>http-chunk</c> the marker counts as body bytes, so audio and marker together go out in writes
    /// of exactly that size, the last one shorter.
    /// </summary>
    private static async Task WriteQuotaEndAsync(HttpContext http, byte[] buffer, int allowed, int? writeSize, CancellationToken aborted)
    {
        if (writeSize is not { } w)
        {
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, allowed), aborted);
            await http.Response.Body.WriteAsync(QuotaMarker, aborted);
            await http.Response.Body.FlushAsync(aborted);
            return;
        }

        // The buffer has room: allowed < one chunk + w, and it was rented with 64 bytes to spare beyond that.
        QuotaMarker.CopyTo(buffer, allowed);
        await WriteChunkedAsync(http, buffer.AsMemory(0, allowed + QuotaMarker.Length), w, aborted);
    }

    /// <summary>Writes <paramref name="data"/> in flushed writes of exactly <paramref name="size"/> bytes (the last one shorter), as <c>http-chunk</c> asks.</summary>
    private static async Task WriteChunkedAsync(HttpContext http, ReadOnlyMemory<byte> data, int size, CancellationToken aborted)
    {
        for (var offset = 0; offset < data.Length; offset += size)
        {
            await http.Response.Body.WriteAsync(data.Slice(offset, Math.Min(size, data.Length - offset)), aborted);
            await http.Response.Body.FlushAsync(aborted);
        }
    }

    private static int Base64Length(int bytes) => ((bytes + 2) / 3) * 4;
}
