//! Sound, made as it plays: a slow, warm score (soft chords with a few notes falling over them)
//! and the city's hum (traffic far below, swelling and passing). Nothing is shipped as audio
//! files; both are generated sample by sample from a seed, and both follow the story: the score
//! thins and darkens with a lonely or grey mood and brightens with a playful one, and the city
//! is loud in the street, far off in the apartment, a slow surf at the beach.
//!
//! Time is counted in samples, as whole numbers: every moment of the music is computed from the
//! sample count, so its hundredth minute moves as its first did (a clock summed as a 32-bit
//! float in seconds runs slow after a couple of minutes and stops after eight).
//!
//! The music and city volumes are the settings' two sliders. Without a sound device (a test
//! machine) Bevy's audio stays silent and the game runs on.

use std::f32::consts::TAU;
use std::num::NonZero;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bevy::audio::{
    AddAudioSource, AudioPlayer, AudioSink, AudioSinkPlayback, ChannelCount, Decodable,
    PlaybackSettings, SampleRate, Source, Volume,
};
use bevy::prelude::*;

use super::city::CityScene;
use super::settings::Settings;
use crate::story::format::{Location, Mood};

/// Samples per second of the generated sound.
const RATE: u32 = 44_100;

/// A value the game sets and the audio thread reads (an `f32` in an atomic).
#[derive(Debug, Default, Clone)]
struct Knob(Arc<AtomicU32>);

impl Knob {
    fn new(v: f32) -> Self {
        Knob(Arc::new(AtomicU32::new(v.to_bits())))
    }
    fn set(&self, v: f32) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }
    fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// The score as an asset: what each playing copy reads.
#[derive(Asset, TypePath, Debug, Clone)]
pub struct Score {
    /// 0 (lonely, grey, dark) to 1 (playful, bright).
    brightness: Knob,
    seed: u64,
}

/// The city's hum as an asset.
#[derive(Asset, TypePath, Debug, Clone)]
pub struct CityHum {
    /// How near the traffic is: 0 (a closed room) to 1 (the street).
    nearness: Knob,
    /// How much it rolls like surf rather than traffic: 0 to 1 (the beach).
    surf: Knob,
    seed: u64,
}

impl Score {
    /// The score for a mood, from a seed.
    pub fn new(mood: Mood, seed: u64) -> Self {
        Score {
            brightness: Knob::new(brightness(mood)),
            seed,
        }
    }
}

impl CityHum {
    /// The city as heard from a place, from a seed.
    pub fn new(location: Location, seed: u64) -> Self {
        let (near, surf) = city_sound(location);
        CityHum {
            nearness: Knob::new(near),
            surf: Knob::new(surf),
            seed,
        }
    }
}

/// A small, fast generator for the audio thread (xorshift), seeded.
#[derive(Debug, Clone)]
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
    fn unit(&mut self) -> f32 {
        self.next() * 0.5 + 0.5
    }
}

/// The chords, as frequencies in hertz: D major, warm and unresolved (Dmaj9, Bm11, Gmaj9,
/// Asus2), one every eight seconds.
const CHORDS: [[f32; 5]; 4] = [
    [146.83, 220.00, 277.18, 329.63, 369.99],
    [123.47, 185.00, 220.00, 293.66, 329.63],
    [98.00, 146.83, 185.00, 246.94, 220.00],
    [110.00, 164.81, 220.00, 246.94, 329.63],
];
const CHORD_SECONDS: u64 = 8;

/// Seconds as samples.
const fn samples(seconds: u64) -> u64 {
    seconds * RATE as u64
}

/// Where `sample` falls in a cycle of `period` samples, from 0 to 1.
fn cycle(sample: u64, period: u64) -> f32 {
    (sample % period) as f32 / period as f32
}

/// One falling note: a soft bell on a chord tone.
#[derive(Debug, Clone, Copy)]
struct Note {
    freq: f32,
    phase: f32,
    /// Samples since it was struck.
    age: u32,
    pan: f32,
}

/// Something that makes sound one stereo frame at a time.
pub trait Frames {
    /// The next frame: left and right.
    fn frame(&mut self) -> (f32, f32);
}

/// A voice as Bevy's audio wants it: interleaved stereo samples, forever.
pub struct Stereo<V> {
    voice: V,
    right: Option<f32>,
}

impl<V> Stereo<V> {
    /// The voice playing.
    pub fn voice(&self) -> &V {
        &self.voice
    }
}

impl<V: Frames> Iterator for Stereo<V> {
    type Item = f32;
    fn next(&mut self) -> Option<f32> {
        if let Some(r) = self.right.take() {
            return Some(r);
        }
        let (l, r) = self.voice.frame();
        self.right = Some(r);
        Some(l)
    }
}

impl<V: Frames> Source for Stereo<V> {
    fn current_span_len(&self) -> Option<usize> {
        None
    }
    fn channels(&self) -> ChannelCount {
        NonZero::new(2).expect("two")
    }
    fn sample_rate(&self) -> SampleRate {
        NonZero::new(RATE).expect("a rate")
    }
    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

/// The score, playing.
pub struct ScoreVoice {
    brightness: Knob,
    bright: f32,
    /// Samples played (the clock).
    sample: u64,
    phases: [[[f32; 2]; 5]; CHORDS.len()],
    notes: Vec<Note>,
    /// The sample the next note falls on.
    next_note: u64,
    noise: Noise,
}

impl ScoreVoice {
    /// The chord sounding now (its index).
    pub fn chord(&self) -> usize {
        (self.sample / samples(CHORD_SECONDS)) as usize % CHORDS.len()
    }

    /// The notes ringing now.
    pub fn notes(&self) -> usize {
        self.notes.len()
    }
}

impl Score {
    /// The score as it plays from `sample` on (a test can start at the twentieth minute without
    /// playing the nineteen before).
    pub fn decoder_at(&self, sample: u64) -> Stereo<ScoreVoice> {
        let voice = ScoreVoice {
            brightness: self.brightness.clone(),
            bright: self.brightness.get(),
            sample,
            phases: [[[0.0; 2]; 5]; CHORDS.len()],
            notes: Vec::with_capacity(8),
            next_note: sample + samples(3),
            noise: Noise(self.seed | 1),
        };
        Stereo { voice, right: None }
    }
}

impl Decodable for Score {
    type Decoder = Stereo<ScoreVoice>;
    fn decoder(&self) -> Stereo<ScoreVoice> {
        self.decoder_at(0)
    }
}

impl Frames for ScoreVoice {
    fn frame(&mut self) -> (f32, f32) {
        let dt = 1.0 / RATE as f32;
        self.sample += 1;
        // The mood changes the music over seconds, never at once.
        self.bright += (self.brightness.get() - self.bright) * dt * 0.3;
        let bright = self.bright;
        let index = self.chord();
        let within = (self.sample % samples(CHORD_SECONDS)) as f32 / RATE as f32;
        // The next chord rises as this one fades, over its last three seconds (equal power).
        let fade = ((within - (CHORD_SECONDS as f32 - 3.0)) / 3.0).clamp(0.0, 1.0);
        let next = (index + 1) % CHORDS.len();
        let quarter = std::f32::consts::FRAC_PI_2;
        let (mut l, mut r) = (0.0, 0.0);
        for (chord, gain) in [
            (index, (fade * quarter).cos()),
            (next, (fade * quarter).sin()),
        ] {
            if gain <= 0.0 {
                continue;
            }
            for (v, (&freq, phases)) in CHORDS[chord]
                .iter()
                .zip(&mut self.phases[chord])
                .enumerate()
            {
                // Two slightly detuned copies: a slow chorus, the warmth of strings far off.
                for (k, detune) in [0.9985f32, 1.0015].into_iter().enumerate() {
                    let p = &mut phases[k];
                    *p = (*p + freq * detune * dt).fract();
                    let s = ((*p * TAU).sin() + 0.18 * bright * (*p * 2.0 * TAU).sin()) * gain;
                    let pan = (v as f32 / 4.0) * 0.6 + 0.2 + (k as f32 - 0.5) * 0.2;
                    l += s * (1.0 - pan);
                    r += s * pan;
                }
            }
        }
        // Breathing: the pad swells and settles every eleven seconds.
        let breath = 0.75 + 0.25 * (cycle(self.sample, samples(11)) * TAU).sin();
        let pad = 0.022 * breath;
        l *= pad;
        r *= pad;

        // Notes fall more often when the mood is light.
        if self.sample >= self.next_note {
            let chord = CHORDS[index];
            let tone = chord[(self.noise.unit() * 5.0) as usize % 5];
            let octave = if self.noise.unit() < 0.5 { 2.0 } else { 4.0 };
            self.notes.push(Note {
                freq: tone * octave,
                phase: 0.0,
                age: 0,
                pan: 0.25 + self.noise.unit() * 0.5,
            });
            let gap = 5.5 - 3.5 * bright;
            let wait = gap * (0.6 + 0.8 * self.noise.unit());
            self.next_note = self.sample + (wait * RATE as f32) as u64;
        }
        for n in &mut self.notes {
            n.age += 1;
            n.phase = (n.phase + n.freq * dt).fract();
            let age = n.age as f32 / RATE as f32;
            let attack = (age / 0.01).min(1.0);
            let env = attack * (-age / 1.6).exp();
            let s = ((n.phase * TAU).sin() + 0.25 * (n.phase * 2.0 * TAU).sin()) * env * 0.06;
            l += s * (1.0 - n.pan);
            r += s * n.pan;
        }
        self.notes.retain(|n| u64::from(n.age) < samples(8));
        (l, r)
    }
}

/// The city's hum, playing.
pub struct HumVoice {
    nearness: Knob,
    surf: Knob,
    near: f32,
    roll: f32,
    /// Samples played (the clock).
    sample: u64,
    noise: [Noise; 2],
    brown: [f32; 2],
    low: [f32; 2],
    swell: f32,
    /// The sample the next car passes on.
    swell_at: u64,
    /// Cars that have passed.
    cars: u32,
}

impl HumVoice {
    /// How many cars have passed since it began.
    pub fn cars(&self) -> u32 {
        self.cars
    }
}

impl CityHum {
    /// The city as it sounds from `sample` on (see `Score::decoder_at`).
    pub fn decoder_at(&self, sample: u64) -> Stereo<HumVoice> {
        let voice = HumVoice {
            nearness: self.nearness.clone(),
            surf: self.surf.clone(),
            near: self.nearness.get(),
            roll: self.surf.get(),
            sample,
            noise: [Noise(self.seed | 1), Noise(self.seed.rotate_left(17) | 1)],
            brown: [0.0; 2],
            low: [0.0; 2],
            swell: 0.0,
            swell_at: sample + samples(4),
            cars: 0,
        };
        Stereo { voice, right: None }
    }
}

impl Decodable for CityHum {
    type Decoder = Stereo<HumVoice>;
    fn decoder(&self) -> Stereo<HumVoice> {
        self.decoder_at(0)
    }
}

impl Frames for HumVoice {
    fn frame(&mut self) -> (f32, f32) {
        let dt = 1.0 / RATE as f32;
        self.sample += 1;
        self.near += (self.nearness.get() - self.near) * dt * 0.5;
        self.roll += (self.surf.get() - self.roll) * dt * 0.5;
        // A passing car: a swell of brighter noise every few seconds, nearer in the street.
        if self.sample >= self.swell_at {
            self.swell = 1.0;
            self.cars += 1;
            let wait = 3.0 + 9.0 * self.noise[0].unit();
            self.swell_at = self.sample + (wait * RATE as f32) as u64;
        }
        self.swell *= 1.0 - dt / 2.5;
        let passing = (1.0 - self.swell) * self.swell * 4.0;
        // Surf: slow waves of about eight seconds.
        let waves = 0.5 + 0.5 * (cycle(self.sample, samples(8)) * TAU).sin();
        let mut out = [0.0; 2];
        for (c, out) in out.iter_mut().enumerate() {
            let white = self.noise[c].next();
            // Brown noise: the low rumble of a city heard through glass.
            self.brown[c] = (self.brown[c] * 0.998 + white * 0.02).clamp(-1.0, 1.0);
            // A gentle low-pass for the passing cars and the surf.
            let cut = 0.02 + 0.1 * self.near;
            self.low[c] += (white - self.low[c]) * cut;
            let traffic = self.brown[c] * (0.35 + 0.4 * self.near)
                + self.low[c] * passing * (0.15 + 0.6 * self.near);
            let surf = self.low[c] * waves * waves * 0.9;
            *out = (traffic * (1.0 - self.roll) + surf * self.roll) * 0.5;
        }
        (out[0], out[1])
    }
}

/// The knobs the scene turns, and which player is which.
#[derive(Resource, Clone)]
struct SoundKnobs {
    brightness: Knob,
    nearness: Knob,
    surf: Knob,
}

/// Marks the score's player.
#[derive(Component)]
struct Music;

/// Marks the city's player.
#[derive(Component)]
struct Ambience;

/// How light the music is for a mood (0 to 1).
pub fn brightness(mood: Mood) -> f32 {
    match mood {
        Mood::Playful | Mood::Bright => 1.0,
        Mood::Warm | Mood::Tender => 0.6,
        Mood::Lonely | Mood::Grey => 0.2,
        Mood::Dim | Mood::Dark => 0.0,
    }
}

/// How near the traffic sounds, and how much like surf, in a place (0 to 1 each).
pub fn city_sound(location: Location) -> (f32, f32) {
    match location {
        Location::Street => (1.0, 0.0),
        Location::Subway => (0.8, 0.0),
        Location::Fair | Location::Restaurant => (0.6, 0.0),
        Location::Rooftop => (0.5, 0.0),
        Location::Office | Location::Apartment => (0.2, 0.0),
        Location::Cabin => (0.0, 0.0),
        Location::Beach => (0.1, 1.0),
    }
}

fn start(
    mut commands: Commands,
    mut scores: ResMut<Assets<Score>>,
    mut hums: ResMut<Assets<CityHum>>,
    settings: Option<Res<Settings>>,
    scene: Res<CityScene>,
) {
    let (near, surf) = city_sound(scene.location);
    let knobs = SoundKnobs {
        brightness: Knob::new(brightness(scene.mood)),
        nearness: Knob::new(near),
        surf: Knob::new(surf),
    };
    let (music, effects) = settings.map_or((0.7, 0.7), |s| (s.music_volume, s.effects_volume));
    let score = scores.add(Score {
        brightness: knobs.brightness.clone(),
        seed: 0x4845_525f_534f_4e47,
    });
    let hum = hums.add(CityHum {
        nearness: knobs.nearness.clone(),
        surf: knobs.surf.clone(),
        seed: 0x4349_5459,
    });
    commands.spawn((
        AudioPlayer(score),
        PlaybackSettings::LOOP.with_volume(Volume::Linear(music)),
        Music,
    ));
    commands.spawn((
        AudioPlayer(hum),
        PlaybackSettings::LOOP.with_volume(Volume::Linear(effects)),
        Ambience,
    ));
    commands.insert_resource(knobs);
}

/// The sound follows the scene the story asks for.
fn follow_scene(scene: Res<CityScene>, knobs: Option<Res<SoundKnobs>>) {
    let Some(knobs) = knobs else { return };
    if !scene.is_changed() {
        return;
    }
    let (near, surf) = city_sound(scene.location);
    knobs.brightness.set(brightness(scene.mood));
    knobs.nearness.set(near);
    knobs.surf.set(surf);
}

/// The volume sliders act at once.
fn apply_volumes(
    settings: Res<Settings>,
    mut music: Query<&mut AudioSink, (With<Music>, Without<Ambience>)>,
    mut city: Query<&mut AudioSink, (With<Ambience>, Without<Music>)>,
) {
    if !settings.is_changed() {
        return;
    }
    for mut sink in &mut music {
        sink.set_volume(Volume::Linear(settings.music_volume));
    }
    for mut sink in &mut city {
        sink.set_volume(Volume::Linear(settings.effects_volume));
    }
}

/// Sound, when Bevy's audio is present.
pub fn plugin(app: &mut App) {
    app.add_audio_source::<Score>()
        .add_audio_source::<CityHum>()
        .add_systems(Startup, start)
        .add_systems(Update, (follow_scene, apply_volumes));
}
